import type { Order } from "./order.ts";

/** What orders tells other contexts; the service maps these to shop.events.v1 messages on `order-events`. */
export type OrderEvent =
  | { readonly type: "OrderCreated"; readonly order: Order }
  | { readonly type: "OrderConfirmed"; readonly order: Order }
  | { readonly type: "OrderCancelled"; readonly order: Order; readonly refundDue: boolean };
