import type { ProcessedEvents } from "../../core/kit/processed-events.ts";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { ProcessedEvent } from "./processed-event-entity.ts";

/** The processed-events store in a context's own database (table `processed_events`). */
export function createMikroOrmProcessedEvents(em: SqlEntityManager): ProcessedEvents {
  return {
    async isProcessed(consumer, eventId) {
      const found = await em.fork().count(ProcessedEvent, { consumer, eventId });
      return found > 0;
    },
    async markProcessed(consumer, eventId) {
      await markProcessed(em.fork(), consumer, eventId);
    },
  };
}

/**
 * Marks the event as processed by `consumer`; false when it already was. Called first thing
 * inside the handler's own `em.transactional(...)`, the mark commits with the handler's
 * writes, and a concurrent duplicate waits on the key and then sees false.
 */
export async function markProcessed(em: SqlEntityManager, consumer: string, eventId: string): Promise<boolean> {
  const result = await em
    .createQueryBuilder(ProcessedEvent)
    .insert({ consumer, eventId, processedAt: new Date() })
    .onConflict(["consumer", "eventId"])
    .ignore()
    .execute("run");
  return result.affectedRows > 0;
}
