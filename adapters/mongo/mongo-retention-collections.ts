import type { Db } from "mongodb";
import type { ExpiredRecords } from "../../core/kit/retention.ts";
import { DOCUMENT_LOCKS } from "./mongo-insert-lock.ts";
import { PROCESSED_EVENTS } from "./mongo-processed-events.ts";
import { mongoExpiredRecords } from "./mongo-retention.ts";

/** Dedupe marks (`processed_events`) by when they were written. */
export function expiredMongoProcessedEvents(db: Db): ExpiredRecords {
  return mongoExpiredRecords(db, { collection: PROCESSED_EVENTS, stamp: "processed_at", stampAs: "date" });
}

/**
 * Lock documents of `insertLocks` (`document_locks` by default) by their expiry. A holder
 * deletes its own; one left by a dead holder is broken only when someone wants that key again,
 * so a key nobody writes again keeps its stale lock forever: these go.
 */
export function expiredInsertLocks(db: Db, collection: string = DOCUMENT_LOCKS): ExpiredRecords {
  return mongoExpiredRecords(db, { collection, stamp: "expires_ms", stampAs: "epochMs" });
}
