import type { SqlEntityManager } from "@mikro-orm/sql";
import type { ExpiredRecords } from "../../../core/kit/retention.ts";
import { sqlExpiredRecords } from "../retention-deletes.ts";
import { CartAnswerRow, CartRecord } from "./cart-record.ts";
import { CartRedemptionHoldRecord, CheckoutSnapshotRecord } from "./checkout-records.ts";

/** The cart tables whose rows outlive their use, each by its stamp. */
export interface CartExpiredRecords {
  /** Carts past `expires_at` (an expired guest cart is NOT_FOUND, an expired user cart reads as empty). */
  readonly carts: ExpiredRecords;
  /** Stored answers of mutating cart calls, by `created_at`. */
  readonly answers: ExpiredRecords;
  /** Checkout snapshots past `expires_at`. */
  readonly snapshots: ExpiredRecords;
  /** Holds on promotion uses past `expires_at` (an expired hold counts for nothing). */
  readonly holds: ExpiredRecords;
}

export function cartExpiredRecords(em: SqlEntityManager): CartExpiredRecords {
  return {
    carts: sqlExpiredRecords(em, { entity: CartRecord, stamp: "expiresAt" }),
    answers: sqlExpiredRecords(em, { entity: CartAnswerRow, stamp: "createdAt" }),
    snapshots: sqlExpiredRecords(em, { entity: CheckoutSnapshotRecord, stamp: "expiresAt" }),
    holds: sqlExpiredRecords(em, { entity: CartRedemptionHoldRecord, stamp: "expiresAt" }),
  };
}
