import { defineEntity, p } from "@mikro-orm/core";

/** An event a consumer group has handled; the primary key makes a second mark a no-op. */
export const ProcessedEvent = defineEntity({
  name: "ProcessedEvent",
  tableName: "processed_events",
  properties: {
    consumer: p.string().length(128).primary(),
    eventId: p.string().length(64).primary(),
    processedAt: p.datetime(3),
  },
});
