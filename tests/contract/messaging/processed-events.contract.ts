import { describe, expect, it } from "vitest";
import type { ProcessedEvents } from "../../../core/kit/processed-events.ts";
import { uniqueName } from "./support/unique-name.ts";

/** The ProcessedEvents port, run against every store. */
export function describeProcessedEventsContract(adapter: string, setup: () => Promise<ProcessedEvents>): void {
  describe(`processed events contract: ${adapter}`, () => {
    it("when an event is marked, then it is processed for that consumer only", async () => {
      const store = await setup();
      const eventId = uniqueName("evt");

      expect(await store.isProcessed("inventory", eventId)).toBe(false);
      await store.markProcessed("inventory", eventId);

      expect(await store.isProcessed("inventory", eventId)).toBe(true);
      expect(await store.isProcessed("shipping", eventId)).toBe(false);
      expect(await store.isProcessed("inventory", uniqueName("evt"))).toBe(false);
    });

    it("when an event is marked twice, then the second mark is a no-op", async () => {
      const store = await setup();
      const eventId = uniqueName("evt");

      await store.markProcessed("inventory", eventId);
      await expect(store.markProcessed("inventory", eventId)).resolves.toBeUndefined();

      expect(await store.isProcessed("inventory", eventId)).toBe(true);
    });
  });
}
