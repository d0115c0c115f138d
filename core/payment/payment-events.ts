import type { Payment, Refund } from "./payment.ts";

/** What payment tells other contexts; the service maps these to shop.events.v1 messages. */
export type PaymentEvent =
  | { readonly type: "PaymentSucceeded"; readonly payment: Payment }
  | { readonly type: "PaymentFailed"; readonly payment: Payment }
  | { readonly type: "PaymentRefunded"; readonly payment: Payment; readonly refund: Refund };
