import type { Reservation } from "./reservation.ts";

/** What inventory tells other contexts; the service maps these to shop.events.v1 messages. */
export type InventoryEvent =
  | { readonly type: "InventoryReserved"; readonly reservation: Reservation }
  | { readonly type: "InventoryRejected"; readonly reservation: Reservation }
  | { readonly type: "InventoryReleased"; readonly reservation: Reservation }
  | { readonly type: "InventoryCommitted"; readonly reservation: Reservation }
  | {
      readonly type: "StockLow";
      readonly sku: string;
      readonly available: number;
      readonly restockThreshold: number;
      readonly at: Date;
    }
  | { readonly type: "StockAvailabilityChanged"; readonly sku: string; readonly available: number; readonly at: Date };
