import type { Db, Document } from "mongodb";
import type { ExpiredRecords } from "../../core/kit/retention.ts";

export interface MongoRetentionCollection {
  readonly collection: string;
  /** The stamp field. */
  readonly stamp: string;
  /** How the stamp is stored: a BSON date, or milliseconds since the epoch (lock documents). */
  readonly stampAs: "date" | "epochMs";
  /** Further conditions a document must meet to go, checked at the pick and again at the delete. */
  readonly only?: Document;
}

/**
 * Expired documents of one collection on FerretDB 1.24 or MongoDB. FerretDB (SQLite) pushes no
 * filter but `_id` equality down and has no TTL index, so a batch costs scans, not index reads:
 * a find of the first `limit` documents stamped before the cutoff, projected to `_id` and the
 * stamp (FerretDB stops reading once it has them; documents come in insertion order, so old ones
 * are found first), then one deleteMany by that `_id` list that checks the stamp again (a
 * document moved on meanwhile stays). No sort: it would read and sort the whole collection.
 * Several sweepers are safe: the second finds the documents gone. Keep batches few per sweep
 * (`maxBatchesPerSweep`) and sweeps rare: every batch reads up to the whole collection.
 */
export function mongoExpiredRecords(db: Db, target: MongoRetentionCollection): ExpiredRecords {
  const documents = db.collection<Document>(target.collection);
  const before = (cutoff: Date) => ({
    ...target.only,
    [target.stamp]: { $lt: target.stampAs === "date" ? cutoff : cutoff.getTime() },
  });
  return {
    async deleteBefore(cutoff, limit) {
      const picked = await documents.find(before(cutoff), { projection: { _id: 1, [target.stamp]: 1 }, limit }).toArray();
      if (picked.length === 0) return { found: 0, deleted: 0 };
      const { deletedCount } = await documents.deleteMany({ _id: { $in: picked.map((doc) => doc._id) }, ...before(cutoff) });
      return { found: picked.length, deleted: deletedCount };
    },
  };
}
