import type { Db, IndexDescription } from "mongodb";
import type { ProcessedEvents } from "../../core/kit/processed-events.ts";
import { isDuplicateKey } from "./mongo-database.ts";

export const PROCESSED_EVENTS = "processed_events";

/** Add to the context's indexes: one mark per (consumer, event id). */
export const processedEventsIndexes: readonly IndexDescription[] = [
  { key: { consumer: 1, event_id: 1 }, name: "consumer_event", unique: true },
];

/**
 * Event ids a consumer group has handled, in the context's own database. `claim` inserts the
 * mark and answers whether this call made it (false: someone marked it before), so a handler
 * whose effect is not naturally idempotent can claim first; handlers whose effect is (a version
 * check) mark after, through the runner.
 */
export function createMongoProcessedEvents(
  db: Db,
): ProcessedEvents & { claim(consumer: string, eventId: string): Promise<boolean> } {
  const marks = db.collection<{ consumer: string; event_id: string; processed_at: Date }>(PROCESSED_EVENTS);
  const claim = async (consumer: string, eventId: string) => {
    try {
      await marks.insertOne({ consumer, event_id: eventId, processed_at: new Date() });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  };
  return {
    claim,
    async isProcessed(consumer, eventId) {
      return (await marks.countDocuments({ consumer, event_id: eventId }, { limit: 1 })) > 0;
    },
    async markProcessed(consumer, eventId) {
      await claim(consumer, eventId);
    },
  };
}
