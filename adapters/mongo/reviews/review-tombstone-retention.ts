import type { Db } from "mongodb";
import type { ExpiredRecords } from "../../../core/kit/retention.ts";
import { OUTBOX_SINCE } from "../mongo-outbox.ts";
import { mongoExpiredRecords } from "../mongo-retention.ts";
import { REVIEWS } from "./review-collections.ts";

/**
 * Tombstones of deleted reviews, by when they were deleted (`updated_at`), once they carry
 * nothing: their ReviewDeleted published (no `outbox_since`) and the product's rating recounted
 * (no `rating_mark_since`). Nothing writes a tombstone again but the relay's clear and the
 * recount's, which these conditions wait for, so the delete races no writer.
 */
export function expiredReviewTombstones(db: Db): ExpiredRecords {
  return mongoExpiredRecords(db, {
    collection: REVIEWS,
    stamp: "updated_at",
    stampAs: "date",
    only: { status: "deleted", [OUTBOX_SINCE]: { $exists: false }, rating_mark_since: { $exists: false } },
  });
}
