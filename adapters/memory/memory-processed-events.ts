import type { ProcessedEvents } from "../../core/kit/processed-events.ts";

/** Processed event ids per consumer group, for the embedded mode; forgotten on restart. */
export function createMemoryProcessedEvents(): ProcessedEvents {
  const seen = new Set<string>();
  const entry = (consumer: string, eventId: string) => JSON.stringify([consumer, eventId]);
  return {
    isProcessed: async (consumer, eventId) => seen.has(entry(consumer, eventId)),
    markProcessed: async (consumer, eventId) => {
      seen.add(entry(consumer, eventId));
    },
  };
}
