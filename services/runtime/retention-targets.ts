import type { SqlEntityManager } from "@mikro-orm/sql";
import { type ExpiredRecords, type RetentionTarget, retentionPolicy } from "../../core/kit/retention.ts";
import { expiredProcessedEvents, expiredPublishedOutbox } from "../../adapters/mikro-orm/retention-messaging.ts";
import type { RetentionSettings } from "./retention-config.ts";

/** A kind whose rows are dead from their expiry on: kept `expiredGraceMs` past it. */
export function afterExpiry(kind: string, records: ExpiredRecords, settings: RetentionSettings): RetentionTarget {
  return { policy: retentionPolicy(kind, "expiry", settings.expiredGraceMs), records };
}

/** Stored idempotent answers: kept the idempotency window from when they were written. */
export function idempotencyWindow(kind: string, records: ExpiredRecords, settings: RetentionSettings): RetentionTarget {
  return { policy: retentionPolicy(kind, "written", settings.idempotencyWindowMs), records };
}

/** The messaging tables every relational context has: dedupe marks and published outbox rows. */
export function messagingRetentionTargets(em: SqlEntityManager, settings: RetentionSettings): RetentionTarget[] {
  return [
    { policy: retentionPolicy("processed_events", "written", settings.processedEventsMs), records: expiredProcessedEvents(em) },
    {
      policy: retentionPolicy("outbox_events.published", "written", settings.publishedOutboxMs),
      records: expiredPublishedOutbox(em),
    },
  ];
}
