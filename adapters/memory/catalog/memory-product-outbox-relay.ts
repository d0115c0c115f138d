import { abortableDelay } from "../../../core/kit/abortable-delay.ts";
import type { EventPublisher } from "../../../core/kit/event-publisher.ts";
import type { MemoryProductRepository } from "./memory-product-repository.ts";

/** The embedded relay: drains the memory repository's pending events to the bus, in order. */
export function startMemoryProductOutboxRelay(products: MemoryProductRepository, publisher: EventPublisher, pollIntervalMs = 20) {
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const events = products.drainEvents();
      if (events.length > 0) {
        try {
          await publisher.publish(events);
        } catch {
          products.requeue(events);
        }
      }
      await abortableDelay(pollIntervalMs, stopping.signal);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
