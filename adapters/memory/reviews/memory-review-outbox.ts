import type { EventPublisher } from "../../../core/kit/event-publisher.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";

/**
 * The outbox of the memory review stores: events appended with each stored change, in order,
 * and a relay that hands them to a publisher (the in-process bus). `written` keeps every event
 * ever appended, for tests.
 */
export class MemoryReviewOutbox {
  readonly written: IntegrationEvent[] = [];
  #pending: IntegrationEvent[] = [];

  append(events: readonly IntegrationEvent[]): void {
    this.written.push(...events);
    this.#pending.push(...events);
  }

  /** Publishes what is pending; on failure the batch stays pending, in order. */
  async drain(publisher: EventPublisher): Promise<number> {
    const batch = this.#pending;
    if (batch.length === 0) return 0;
    this.#pending = [];
    try {
      await publisher.publish(batch);
      return batch.length;
    } catch (error) {
      this.#pending = [...batch, ...this.#pending];
      throw error;
    }
  }

  startRelay(publisher: EventPublisher, options: { intervalMs?: number; onError?: (error: unknown) => void } = {}) {
    let running = true;
    let inFlight: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      if (!running) return;
      inFlight = inFlight.then(() => this.drain(publisher)).catch((error) => options.onError?.(error));
    }, options.intervalMs ?? 20);
    return {
      async stop() {
        running = false;
        clearInterval(timer);
        await inFlight;
      },
    };
  }
}
