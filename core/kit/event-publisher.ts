import type { IntegrationEvent } from "./integration-event.ts";

/** Hands integration events to the broker. */
export interface EventPublisher {
  /**
   * Resolves only once the broker has acknowledged every event of the batch; rejects
   * otherwise, and the caller publishes the whole batch again (consumers dedupe by event id).
   * Events with the same tenant and key are stored in the order given.
   */
  publish(events: readonly IntegrationEvent[]): Promise<void>;
}
