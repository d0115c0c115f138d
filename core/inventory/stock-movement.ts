/** Why on-hand stock was changed by hand. */
export type AdjustmentReason = "received" | "count_correction" | "damaged" | "lost" | "returned" | "transfer";

/** `restocked`: committed stock put back on hand because the order was cancelled after the commit. */
export type MovementKind = "adjustment" | "reserved" | "released" | "expired" | "committed" | "restocked";

/** One ledger entry: a change of on-hand and/or reserved of a SKU at a location. */
export interface StockMovement {
  readonly id: string;
  readonly sku: string;
  readonly locationId: string;
  readonly kind: MovementKind;
  readonly adjustmentReason: AdjustmentReason | undefined;
  readonly onHandDelta: number;
  readonly reservedDelta: number;
  readonly onHandAfter: number;
  readonly reservedAfter: number;
  readonly orderId: string | undefined;
  readonly actorUserId: string | undefined;
  readonly note: string | undefined;
  readonly occurredAt: Date;
}
