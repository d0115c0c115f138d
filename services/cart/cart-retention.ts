import type { SqlEntityManager } from "@mikro-orm/sql";
import type { RetentionTarget } from "../../core/kit/retention.ts";
import { cartExpiredRecords } from "../../adapters/mikro-orm/cart/cart-retention.ts";
import type { RetentionSettings } from "../runtime/retention-config.ts";
import { afterExpiry, idempotencyWindow, messagingRetentionTargets } from "../runtime/retention-targets.ts";

/**
 * What cart's sweeper deletes: holds and snapshots past their expiry (holds first: a hold never
 * outlives its snapshot), expired carts, answers past the idempotency window, old messaging rows.
 * `cart_orders` and `cart_redemptions` stay: OrderCancelled gives an order's codes back from them.
 */
export function cartRetentionTargets(em: SqlEntityManager, settings: RetentionSettings): RetentionTarget[] {
  const records = cartExpiredRecords(em);
  return [
    afterExpiry("cart_redemption_holds", records.holds, settings),
    afterExpiry("cart_checkout_snapshots", records.snapshots, settings),
    afterExpiry("carts", records.carts, settings),
    idempotencyWindow("cart_idempotency_keys", records.answers, settings),
    ...messagingRetentionTargets(em, settings),
  ];
}
