import type { SqlEntityManager } from "@mikro-orm/sql";
import type { ExpiredRecords } from "../../core/kit/retention.ts";
import { OutboxEvent } from "./outbox-event-entity.ts";
import { ProcessedEvent } from "./processed-event-entity.ts";
import { sqlExpiredRecords } from "./retention-deletes.ts";

/** `processed_events` marks by when they were written (index on `processed_at`). */
export function expiredProcessedEvents(em: SqlEntityManager): ExpiredRecords {
  return sqlExpiredRecords(em, { entity: ProcessedEvent, stamp: "processedAt" });
}

/**
 * `outbox_events` rows by when the relay published them (index `published_at, sequence`); rows
 * not yet published have a null stamp and are never picked.
 */
export function expiredPublishedOutbox(em: SqlEntityManager): ExpiredRecords {
  return sqlExpiredRecords(em, { entity: OutboxEvent, stamp: "publishedAt" });
}
