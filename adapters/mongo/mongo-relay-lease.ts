import type { Db } from "mongodb";
import { isDuplicateKey } from "./mongo-database.ts";

export const RELAY_LEASES = "outbox_relay_leases";

interface LeaseDocument {
  _id: string;
  holder: string;
  expires_at: Date;
}

/**
 * One holder at a time, without transactions: the lease document names its holder and an
 * expiry. Taking it is one findOneAndUpdate that matches only when the caller holds it already
 * or it has expired; when another holder has a live lease, the upsert collides on `_id` and the
 * caller is refused. A holder renews it before each batch; one that dies loses it at expiry.
 * Not exclusive on FerretDB 1.24 (SQLite): its findOneAndUpdate is a non-atomic
 * read-modify-write, so relays racing for an expired lease can both get it for a while. Left so
 * on purpose: the outcome is duplicates only (each document's clear runs under its document lock
 * and removes just what was published; consumers dedupe by event id), nothing lost.
 */
export function relayLease(db: Db, name: string, holder: string, ttlMs: number) {
  const leases = db.collection<LeaseDocument>(RELAY_LEASES);
  return {
    /** True when `holder` holds the lease for the next `ttlMs`. */
    async acquire(now: Date = new Date()): Promise<boolean> {
      try {
        await leases.findOneAndUpdate(
          { _id: name, $or: [{ holder }, { expires_at: { $lte: now } }] },
          { $set: { holder, expires_at: new Date(now.getTime() + ttlMs) } },
          { upsert: true },
        );
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    /** Gives the lease up (expires it now) if `holder` has it. */
    async release(): Promise<void> {
      await leases.updateOne({ _id: name, holder }, { $set: { expires_at: new Date(0) } });
    },
  };
}
