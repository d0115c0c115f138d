import type { Collection, Db } from "mongodb";
import { unavailable } from "../../core/kit/domain-error.ts";
import { isDuplicateKey } from "./mongo-database.ts";

interface LockDocument {
  _id: string;
  expires_ms: number;
}

export interface InsertLockOptions {
  /** A lock left by a dead holder is broken after this long. */
  readonly ttlMs?: number;
  /** A caller gives up (UNAVAILABLE) after waiting this long. */
  readonly waitMs?: number;
  /** The UNAVAILABLE error's code. */
  readonly code?: string;
}

/**
 * Mutual exclusion per key on FerretDB 1.24 (SQLite), whose updates are read-modify-write and
 * NOT atomic under concurrency (measured: 20 concurrent `$inc` by one left 1 to 12; of 12
 * concurrent `updateOne({_id, rev: 0})` compare-and-sets up to 12 "matched"; of 10
 * `findOneAndUpdate({_id, n: 0})` up to 8 "won"), while an insert of an existing `_id` (11000)
 * and a delete by `_id` (deletedCount) are. Taking a lock = inserting `<key>`; freeing it =
 * deleting it. Callers in this process queue in memory first, so only processes contend
 * through the database. A lock left by a dead holder is broken after `ttlMs` (its deleter and a
 * new holder could still race in a window of one round trip: documented limit).
 */
export function insertLocks(db: Db, collection: string, options: InsertLockOptions = {}) {
  const locks: Collection<LockDocument> = db.collection<LockDocument>(collection);
  const ttlMs = options.ttlMs ?? 10_000;
  const waitMs = options.waitMs ?? 15_000;
  const code = options.code ?? "STORE.DOCUMENT_LOCKED";
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
      if (Date.now() > giveUpAt) throw unavailable(code, `lock ${key} not free within ${waitMs} ms`);
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

/** The database's document locks (one collection per database, shared by every writer of it). */
export const DOCUMENT_LOCKS = "document_locks";

export type DocumentLocks = ReturnType<typeof documentLock>;

const perDatabase = new WeakMap<Db, DocumentLocks>();

/**
 * The lock every writer that reads, checks and writes back a document of `db` takes around
 * that sequence (FerretDB's conditional updates are no compare-and-set, see insertLocks): the
 * repositories' versioned updates and the outbox relay's clear of published events. Key =
 * `<collection>/<_id>`. One instance per Db object, so the writers of one process queue in
 * memory and meet in the database only across processes. An insert of a new document or a
 * delete by `_id` alone needs no lock.
 */
export function documentLocks(db: Db): DocumentLocks {
  let locks = perDatabase.get(db);
  if (!locks) {
    locks = documentLock(db);
    perDatabase.set(db, locks);
  }
  return locks;
}

function documentLock(db: Db) {
  const locks = insertLocks(db, DOCUMENT_LOCKS);
  return {
    /** Runs `work` while no other writer of `collection`'s document `id` runs its own. */
    withDocument<T>(collection: string, id: string, work: () => Promise<T>): Promise<T> {
      return locks.withLock(`${collection}/${id}`, work);
    },
  };
}
