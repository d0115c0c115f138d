import type { Db } from "mongodb";
import { type RetentionTarget, retentionPolicy } from "../../core/kit/retention.ts";
import { DOCUMENT_LOCKS } from "../../adapters/mongo/mongo-insert-lock.ts";
import { expiredReviewTombstones } from "../../adapters/mongo/reviews/review-tombstone-retention.ts";
import type { DocumentRetentionSettings } from "../runtime/retention-config.ts";
import { documentRetentionTargets } from "../runtime/retention-document-targets.ts";

/**
 * What the reviews' sweeper deletes: stale document locks, and tombstones of deleted reviews
 * `expiredGraceMs` after the deletion once their event is out and the rating recounted. Reviews
 * consumes no events, so it keeps no dedupe marks.
 */
export function reviewsRetentionTargets(db: Db, settings: DocumentRetentionSettings): RetentionTarget[] {
  return [
    ...documentRetentionTargets(db, settings, { processedEvents: false, lockCollections: [DOCUMENT_LOCKS] }),
    {
      policy: retentionPolicy("review_tombstones", "expiry", settings.expiredGraceMs),
      records: expiredReviewTombstones(db),
      maxBatchesPerSweep: settings.maxBatchesPerSweep,
    },
  ];
}
