import type { SqlEntityManager } from "@mikro-orm/sql";
import type { Clock } from "../../../core/kit/clock.ts";
import type { ExpiredRecords } from "../../../core/kit/retention.ts";
import { sqlExpiredRecords } from "../retention-deletes.ts";
import { InventoryIdempotencyRecord } from "./inventory-records.ts";

/**
 * AdjustStock's stored answers, by when they were written (index on `created_at`). Before each
 * pick, rows with no stamp (written before the column existed, or by a process of the previous
 * version during a rollout) get the clock's time as theirs: they go a window after the first
 * sweep that saw them, never sooner than a window after they were written.
 */
export function expiredInventoryIdempotencyRecords(em: SqlEntityManager, clock: Clock): ExpiredRecords {
  const expired = sqlExpiredRecords(em, { entity: InventoryIdempotencyRecord, stamp: "createdAt" });
  return {
    async deleteBefore(cutoff, limit) {
      await stampUnstampedAnswers(em, clock.now(), limit);
      return expired.deleteBefore(cutoff, limit);
    },
  };
}

/**
 * Stamps every unstamped answer with `at`, `batchSize` rows a statement: the keys picked through
 * the `created_at` index (`is null`), then an update by those keys that checks the null again.
 * Resolves to how many it stamped (0, one empty pick, once the backlog of the upgrade is gone).
 */
async function stampUnstampedAnswers(em: SqlEntityManager, at: Date, batchSize: number): Promise<number> {
  let stamped = 0;
  for (;;) {
    const fork = em.fork();
    const keys = await fork.find(
      InventoryIdempotencyRecord,
      { createdAt: null },
      { fields: ["tenantId", "scope", "idempotencyKey"], limit: batchSize, disableIdentityMap: true },
    );
    if (keys.length === 0) return stamped;
    const byKey = keys.map(({ tenantId, scope, idempotencyKey }) => ({ tenantId, scope, idempotencyKey }));
    const changed = await fork.nativeUpdate(
      InventoryIdempotencyRecord,
      { $and: [{ $or: byKey }, { createdAt: null }] },
      { createdAt: at },
    );
    stamped += changed;
    // A full batch of which none changed was stamped by another sweeper: let it finish.
    if (keys.length < batchSize || changed === 0) return stamped;
  }
}
