import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeliveryContext, DeliveryOutcome, EventConsumer, Subscription } from "../../../core/kit/event-consumer.ts";
import type { EventPublisher } from "../../../core/kit/event-publisher.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import type { ProcessedEvents } from "../../../core/kit/processed-events.ts";
import { createMemoryProcessedEvents } from "../../../adapters/memory/memory-processed-events.ts";
import { bodyOf, testEvent } from "./support/test-events.ts";
import { uniqueName } from "./support/unique-name.ts";
import { waitUntil } from "./support/wait-until.ts";

/** The EventPublisher + EventConsumer contract, run against every bus adapter. */
export interface EventBusFixture {
  readonly publisher: EventPublisher;
  readonly consumer: EventConsumer;
  /** A topic no other test uses, ready to publish to (with its dead-letter store). */
  newTopic(): Promise<string>;
  /** Waits until `count` events of `topic` are parked as dead letters, and returns them. */
  deadLetters(topic: string, count: number): Promise<DeadLetterView[]>;
  dispose(): Promise<void>;
}

export interface DeadLetterView {
  readonly event: IntegrationEvent;
  readonly reason: string;
  readonly attempts: number;
  readonly originalTopic: string;
  readonly consumerGroup: string;
}

const fastRetry = { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 };

export function describeEventBusContract(adapter: string, setup: () => Promise<EventBusFixture>): void {
  describe(`event bus contract: ${adapter}`, () => {
    let bus: EventBusFixture;
    const running: { stop(): Promise<void> }[] = [];

    beforeAll(async () => {
      bus = await setup();
    });
    afterAll(async () => {
      await Promise.all(running.map((subscription) => subscription.stop()));
      await bus?.dispose();
    });

    /** Subscribes a fresh group (unless given) and records every delivery and outcome. */
    async function subscribe(
      topic: string,
      handler: Subscription["handler"] = async () => {},
      overrides: Partial<Subscription> = {},
    ) {
      const deliveries: { event: IntegrationEvent; ctx: DeliveryContext }[] = [];
      const outcomes: DeliveryOutcome[] = [];
      const subscription = await bus.consumer.subscribe({
        group: uniqueName("group"),
        topics: [topic],
        processedEvents: createMemoryProcessedEvents(),
        retry: fastRetry,
        ...overrides,
        handler: async (event, ctx) => {
          deliveries.push({ event, ctx });
          await handler(event, ctx);
        },
        onOutcome: (outcome) => outcomes.push(outcome),
      });
      running.push(subscription);
      const handled = () => outcomes.filter((o) => o.kind === "handled").map((o) => (o as { event: IntegrationEvent }).event);
      return { subscription, deliveries, outcomes, handled };
    }

    it("when an event is published, then a subscriber receives its whole envelope and the correlation id in its context", async () => {
      const topic = await bus.newTopic();
      const { deliveries, handled } = await subscribe(topic, async () => {}, { group: uniqueName("envelope") });
      const event = testEvent(topic, { key: "order-42", tenantId: "globex", schemaVersion: 3, body: "\u0000binary\u00ff" });

      await bus.publisher.publish([event]);

      await waitUntil("the event is handled", () => handled().length === 1);
      const [{ event: received, ctx }] = deliveries as [(typeof deliveries)[0]];
      expect({ ...received, payload: [...received.payload] }).toEqual({ ...event, payload: [...event.payload] });
      expect(ctx).toMatchObject({ tenantId: "globex", correlationId: event.correlationId, attempt: 1, caller: undefined });
    });

    it("when many events over several keys are published, then each key's events are handled in publish order", async () => {
      const topic = await bus.newTopic();
      const keys = ["order-a", "order-b", "order-c", "order-d", "order-e", "order-f"];
      const perKey = 15;
      const seen = new Map<string, number[]>();
      const { handled } = await subscribe(topic, async (event) => {
        // Uneven handler times let partitions race each other; per-key order must still hold.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        const list = seen.get(`${event.tenantId}/${event.key}`) ?? [];
        list.push(Number(bodyOf(event)));
        seen.set(`${event.tenantId}/${event.key}`, list);
      });

      for (let n = 0; n < perKey; n++) {
        const batch = keys.map((key, k) => testEvent(topic, { key, tenantId: k % 2 ? "acme" : "globex", body: String(n) }));
        await bus.publisher.publish(batch);
      }

      await waitUntil("every event is handled", () => handled().length === keys.length * perKey);
      const ascending = Array.from({ length: perKey }, (_, n) => n);
      expect(seen.size).toBe(keys.length);
      for (const sequence of seen.values()) expect(sequence).toEqual(ascending);
    });

    it("when the same event is published twice, then each group handles it once and reports the duplicate", async () => {
      const topic = await bus.newTopic();
      const first = await subscribe(topic);
      const second = await subscribe(topic);
      const event = testEvent(topic);
      const later = testEvent(topic);

      await bus.publisher.publish([event]);
      await bus.publisher.publish([event, later]);

      for (const group of [first, second]) {
        await waitUntil("the later event is handled", () => group.handled().some((e) => e.id === later.id));
        expect(group.deliveries.filter((d) => d.event.id === event.id)).toHaveLength(1);
        expect(
          group.outcomes.filter((o) => o.kind === "duplicate").map((o) => (o as { event: IntegrationEvent }).event.id),
        ).toEqual([event.id]);
      }
    });

    it("when a handler fails twice, then it is retried with growing delays and the third attempt handles the event", async () => {
      const topic = await bus.newTopic();
      const attemptTimes: number[] = [];
      const { deliveries, handled, outcomes } = await subscribe(
        topic,
        async () => {
          attemptTimes.push(performance.now());
          if (attemptTimes.length < 3) throw new Error("database busy");
        },
        { retry: { maxAttempts: 5, initialDelayMs: 40, maxDelayMs: 1_000 } },
      );

      await bus.publisher.publish([testEvent(topic)]);

      await waitUntil("the event is handled", () => handled().length === 1);
      expect(deliveries.map((d) => d.ctx.attempt)).toEqual([1, 2, 3]);
      expect(outcomes.filter((o) => o.kind === "retrying").map((o) => (o as { delayMs: number }).delayMs)).toEqual([40, 80]);
      const [t1, t2, t3] = attemptTimes as [number, number, number];
      expect(t2 - t1).toBeGreaterThanOrEqual(35);
      expect(t3 - t2).toBeGreaterThanOrEqual(75);
    });

    it("when a handler keeps failing, then the event is dead-lettered after the last attempt and the key's next event is handled", async () => {
      const topic = await bus.newTopic();
      const poison = testEvent(topic, { key: "order-poison", body: "poison" });
      const next = testEvent(topic, { key: "order-poison", body: "fine" });
      const group = uniqueName("dlq");
      const { deliveries, handled } = await subscribe(
        topic,
        async (event) => {
          if (bodyOf(event) === "poison") throw new Error("cannot decode OrderCreated");
        },
        { group },
      );

      await bus.publisher.publish([poison, next]);

      const [parked] = await bus.deadLetters(topic, 1);
      expect(parked).toMatchObject({ attempts: fastRetry.maxAttempts, originalTopic: topic, consumerGroup: group });
      expect(parked?.reason).toContain("cannot decode OrderCreated");
      expect(parked?.event.id).toBe(poison.id);
      expect(bodyOf(parked?.event as IntegrationEvent)).toBe("poison");
      await waitUntil("the next event is handled", () => handled().some((e) => e.id === next.id));
      expect(deliveries.filter((d) => d.event.id === poison.id)).toHaveLength(fastRetry.maxAttempts);
    });

    it("when an event names no valid tenant, then it is dead-lettered at once without calling the handler", async () => {
      const topic = await bus.newTopic();
      const { deliveries, handled } = await subscribe(topic);
      const stray = testEvent(topic, { tenantId: "Not A Tenant" });
      const next = testEvent(topic);

      await bus.publisher.publish([stray, next]);

      const [parked] = await bus.deadLetters(topic, 1);
      expect(parked).toMatchObject({ attempts: 0, originalTopic: topic });
      expect(parked?.event.id).toBe(stray.id);
      expect(parked?.reason).toContain("tenant_id");
      await waitUntil("the next event is handled", () => handled().some((e) => e.id === next.id));
      expect(deliveries.map((d) => d.event.id)).toEqual([next.id]);
    });

    it("when a subscription stops while its handler is failing, then the event stays uncommitted and the group's next subscription handles it", async () => {
      const topic = await bus.newTopic();
      const group = uniqueName("redeliver");
      const processedEvents = createMemoryProcessedEvents();
      const event = testEvent(topic);
      const failing = await subscribe(
        topic,
        async () => {
          throw new Error("inventory database unreachable");
        },
        { group, processedEvents, retry: { maxAttempts: 5, initialDelayMs: 5_000, maxDelayMs: 5_000 } },
      );
      await bus.publisher.publish([event]);
      await waitUntil("the first attempt fails", () => failing.outcomes.some((o) => o.kind === "retrying"));

      await failing.subscription.stop();

      expect(failing.deliveries).toHaveLength(1);
      const recovered = await subscribe(topic, async () => {}, { group, processedEvents });
      await waitUntil("the event is handled", () => recovered.handled().length === 1);
      expect(recovered.handled()[0]?.id).toBe(event.id);
      expect(recovered.deliveries[0]?.ctx.attempt).toBe(1);
    });

    it("when a subscription stops during a handler, then the handler finishes and the group later resumes with the next event", async () => {
      const topic = await bus.newTopic();
      const group = uniqueName("resume");
      const processedEvents: ProcessedEvents = createMemoryProcessedEvents();
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = testEvent(topic, { key: "order-stop" });
      const second = testEvent(topic, { key: "order-stop" });
      const before = await subscribe(topic, () => released, { group, processedEvents });
      await bus.publisher.publish([first, second]);
      await waitUntil("the first handler runs", () => before.deliveries.length === 1);

      const stopped = before.subscription.stop();
      release();
      await stopped;

      expect(before.handled().map((e) => e.id)).toEqual([first.id]);
      expect(before.deliveries.map((d) => d.event.id)).toEqual([first.id]);
      const after = await subscribe(topic, async () => {}, { group, processedEvents });
      await waitUntil("the second event is handled", () => after.handled().length === 1);
      expect(after.handled().map((e) => e.id)).toEqual([second.id]);
      expect(after.outcomes.some((o) => o.kind === "duplicate")).toBe(false);
    });
  });
}
