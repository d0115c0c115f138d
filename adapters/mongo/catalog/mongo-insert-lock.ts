import type { Collection, Db } from "mongodb";
import { unavailable } from "../../../core/kit/domain-error.ts";
import { isDuplicateKey } from "../mongo-database.ts";

interface LockDocument {
  _id: string;
  expires_ms: number;
}

/**
 * Mutual exclusion per key on FerretDB 1.24, whose updates are read-modify-write and NOT atomic
 * under concurrency (measured: 20 concurrent `$inc` by one left 12; 10 concurrent
 * `findOneAndUpdate({_id, n: 0})` CAS calls "won" 8 times), while an insert of an existing `_id`
 * (11000) and a delete by `_id` (deletedCount) are. Taking a lock = inserting `<key>`; freeing
 * it = deleting it. Callers in this process queue in memory first, so only processes contend
 * through the database. A lock left by a dead holder is broken after `ttlMs` (its deleter and a
 * new holder could still race in a window of one round trip: documented limit).
 */
export function insertLocks(db: Db, collection: string, options: { ttlMs?: number; waitMs?: number } = {}) {
  const locks: Collection<LockDocument> = db.collection<LockDocument>(collection);
  const ttlMs = options.ttlMs ?? 10_000;
  const waitMs = options.waitMs ?? 15_000;
  const local = new Map<string, Promise<unknown>>();

  async function acquire(key: string): Promise<void> {
    const giveUpAt = Date.now() + waitMs;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      try {
        await locks.insertOne({ _id: key, expires_ms: Date.now() + ttlMs });
        return;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const held = await locks.findOne({ _id: key });
      if (held && held.expires_ms < Date.now()) await locks.deleteOne({ _id: key, expires_ms: held.expires_ms });
      if (Date.now() > giveUpAt) throw unavailable("CATALOG.SEARCH_INDEX_LOCKED", `lock ${key} not free within ${waitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random())));
    }
  }

  return {
    /** Runs `work` while holding `key` (in this process and in the database). */
    async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
      const before = local.get(key) ?? Promise.resolve();
      const mine = before
        .catch(() => {})
        .then(async () => {
          await acquire(key);
          try {
            return await work();
          } finally {
            await locks.deleteOne({ _id: key });
          }
        });
      local.set(key, mine);
      try {
        return await mine;
      } finally {
        if (local.get(key) === mine) local.delete(key);
      }
    },
  };
}
