import { defineEntity, p } from "@mikro-orm/core";

/**
 * One integration event waiting for (or done with) the relay. `sequence` is the order the
 * relay publishes in; `published_at` stays null until the broker acknowledged the event.
 */
export const OutboxEvent = defineEntity({
  name: "OutboxEvent",
  tableName: "outbox_events",
  properties: {
    sequence: p.bigint("number").primary().autoincrement(),
    eventId: p.string().length(64).unique(),
    topic: p.string().length(249),
    eventKey: p.string().length(255),
    eventType: p.string().length(255),
    schemaVersion: p.integer(),
    tenantId: p.string().length(63),
    correlationId: p.string().length(128),
    occurredAt: p.datetime(3),
    // SQLite reads the declared type by affinity (BLOB); MariaDB's plain blob stops at 64 KiB.
    payload: p.blob().columnType("mediumblob"),
    publishedAt: p.datetime(3).nullable(),
  },
  indexes: [{ properties: ["publishedAt", "sequence"] }],
});
