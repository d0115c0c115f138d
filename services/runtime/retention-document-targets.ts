import type { Db } from "mongodb";
import { type RetentionTarget, retentionPolicy } from "../../core/kit/retention.ts";
import { expiredInsertLocks, expiredMongoProcessedEvents } from "../../adapters/mongo/mongo-retention-collections.ts";
import type { DocumentRetentionSettings } from "./retention-config.ts";

/**
 * A document context's kinds: its dedupe marks when it consumes events (`processedEvents`), and
 * the stale lock documents of its lock collections (`document_locks`, and e.g. catalog's
 * `search_locks`). Each kind at most `maxBatchesPerSweep` batches a sweep (a batch is a scan).
 */
export function documentRetentionTargets(
  db: Db,
  settings: DocumentRetentionSettings,
  kinds: { readonly processedEvents: boolean; readonly lockCollections: readonly string[] },
): RetentionTarget[] {
  const bounded = { maxBatchesPerSweep: settings.maxBatchesPerSweep };
  return [
    ...(kinds.processedEvents
      ? [
          {
            policy: retentionPolicy("processed_events", "written", settings.processedEventsMs),
            records: expiredMongoProcessedEvents(db),
            ...bounded,
          },
        ]
      : []),
    ...kinds.lockCollections.map((collection) => ({
      policy: retentionPolicy(collection, "expiry", settings.expiredGraceMs),
      records: expiredInsertLocks(db, collection),
      ...bounded,
    })),
  ];
}
