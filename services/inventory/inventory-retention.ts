import type { SqlEntityManager } from "@mikro-orm/sql";
import type { Clock } from "../../core/kit/clock.ts";
import type { RetentionTarget } from "../../core/kit/retention.ts";
import { expiredInventoryIdempotencyRecords } from "../../adapters/mikro-orm/inventory/inventory-retention.ts";
import type { RetentionSettings } from "../runtime/retention-config.ts";
import { idempotencyWindow, messagingRetentionTargets } from "../runtime/retention-targets.ts";

/**
 * What inventory's sweeper deletes: AdjustStock's answers past the idempotency window, old
 * messaging rows. Reservations and the stock ledger are history and stay (docs/inventory.md).
 */
export function inventoryRetentionTargets(em: SqlEntityManager, settings: RetentionSettings, clock: Clock): RetentionTarget[] {
  return [
    idempotencyWindow("inventory_idempotency_keys", expiredInventoryIdempotencyRecords(em, clock), settings),
    ...messagingRetentionTargets(em, settings),
  ];
}
