import { defineEntity, p } from "@mikro-orm/core";

/**
 * An event a consumer group has handled; the primary key makes a second mark a no-op. The index
 * on `processed_at` serves the retention sweep (marks older than the topics' retention go).
 */
export const ProcessedEvent = defineEntity({
  name: "ProcessedEvent",
  tableName: "processed_events",
  properties: {
    consumer: p.string().length(128).primary(),
    eventId: p.string().length(64).primary(),
    processedAt: p.datetime(3),
  },
  indexes: [{ properties: ["processedAt"] }],
});
