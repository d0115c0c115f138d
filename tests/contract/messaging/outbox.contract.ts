import type { SqlEntityManager } from "@mikro-orm/sql";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { appendToOutbox } from "../../../adapters/mikro-orm/mikro-orm-outbox.ts";
import { startOutboxRelay, type OutboxRelay } from "../../../adapters/mikro-orm/mikro-orm-outbox-relay.ts";
import { createMikroOrmProcessedEvents, markProcessed } from "../../../adapters/mikro-orm/mikro-orm-processed-events.ts";
import { OutboxEvent } from "../../../adapters/mikro-orm/outbox-event-entity.ts";
import type { DeliveryOutcome, EventConsumer, RunningSubscription } from "../../../core/kit/event-consumer.ts";
import type { EventPublisher } from "../../../core/kit/event-publisher.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { ContractOrder, ContractTally } from "./support/contract-entities.ts";
import { bodyOf, testEvent } from "./support/test-events.ts";
import { uniqueName } from "./support/unique-name.ts";
import { waitUntil } from "./support/wait-until.ts";

/** The transactional outbox and its relay, run against every database and bus pairing. */
export interface OutboxFixture {
  /** A database with the messaging tables and the contract entities. */
  readonly em: SqlEntityManager;
  readonly publisher: EventPublisher;
  readonly consumer: EventConsumer;
  newTopic(): Promise<string>;
  /** Runs one relay batch that publishes the pending events, then dies before its mark commits. */
  publishThenDieBeforeMark(): Promise<void>;
  dispose(): Promise<void>;
}

const relayTimings = { batchSize: 50, pollIntervalMs: 20, backoff: { initialDelayMs: 20, maxDelayMs: 200 } };

export function describeOutboxContract(adapter: string, setup: () => Promise<OutboxFixture>): void {
  describe(`outbox contract: ${adapter}`, () => {
    let fixture: OutboxFixture;
    const cleanups: (() => Promise<void>)[] = [];

    beforeAll(async () => {
      fixture = await setup();
    });
    // Relays stop after each test, so none publishes what the next test means to publish itself.
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    afterAll(async () => {
      await fixture?.dispose();
    });

    const startRelay = async (options: { batchSize?: number } = {}): Promise<OutboxRelay> => {
      const relay = await startOutboxRelay({ em: fixture.em, publisher: fixture.publisher, ...relayTimings, ...options });
      cleanups.push(() => relay.stop());
      return relay;
    };

    /** Places an order and its events in one transaction, the way a repository does. */
    const placeOrder = (orderId: string, events: IntegrationEvent[], failAfterAppend = false) =>
      fixture.em.fork().transactional(async (em) => {
        em.create(ContractOrder, { id: orderId, tenantId: "acme", status: "PENDING" });
        await appendToOutbox(em, events);
        if (failAfterAppend) throw new Error("payment limit exceeded");
      });

    const outboxRows = (eventIds: string[]) =>
      fixture.em.fork().find(OutboxEvent, { eventId: { $in: eventIds } }, { orderBy: { sequence: "asc" } });

    /** A consumer group that bumps a tally per event, marking the event in the same transaction. */
    const subscribeTally = async (topic: string) => {
      const group = uniqueName("tally");
      const outcomes: DeliveryOutcome[] = [];
      const subscription: RunningSubscription = await fixture.consumer.subscribe({
        group,
        topics: [topic],
        processedEvents: createMikroOrmProcessedEvents(fixture.em),
        retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
        onOutcome: (outcome) => outcomes.push(outcome),
        handler: (event, ctx) =>
          fixture.em.fork().transactional(async (em) => {
            if (!(await markProcessed(em, ctx.consumerGroup, event.id))) return;
            const tally = await em.findOne(ContractTally, { name: event.id });
            if (tally) tally.count++;
            else em.create(ContractTally, { name: event.id, count: 1 });
          }),
      });
      cleanups.push(() => subscription.stop());
      const ids = (kind: DeliveryOutcome["kind"]) =>
        outcomes.filter((o) => o.kind === kind).map((o) => (o as { event: IntegrationEvent }).event.id);
      /** Deliveries that reached the group, whichever layer skipped a duplicate (the runner, or the handler's mark). */
      const deliveries = (eventId: string) => [...ids("handled"), ...ids("duplicate")].filter((id) => id === eventId).length;
      return { ids, deliveries };
    };

    const tallyOf = async (eventId: string) => (await fixture.em.fork().findOne(ContractTally, { name: eventId }))?.count ?? 0;

    it("when the transaction that appended events throws, then neither the state change nor the outbox rows exist", async () => {
      const topic = await fixture.newTopic();
      const orderId = uniqueName("order");
      const events = [testEvent(topic, { key: orderId }), testEvent(topic, { key: orderId })];

      await expect(placeOrder(orderId, events, true)).rejects.toThrow("payment limit exceeded");

      expect(await fixture.em.fork().findOne(ContractOrder, { id: orderId })).toBeNull();
      expect(await outboxRows(events.map((e) => e.id))).toEqual([]);
    });

    it("when the transaction commits, then the state change and its outbox rows are stored together, in order, unpublished", async () => {
      const topic = await fixture.newTopic();
      const orderId = uniqueName("order");
      const events = [testEvent(topic, { key: orderId, body: "created" }), testEvent(topic, { key: orderId, body: "paid" })];

      await placeOrder(orderId, events);

      expect(await fixture.em.fork().findOne(ContractOrder, { id: orderId })).toMatchObject({ status: "PENDING" });
      const rows = await outboxRows(events.map((e) => e.id));
      expect(rows.map((row) => [row.eventId, row.publishedAt])).toEqual(events.map((e) => [e.id, null]));
      expect(rows.map((row) => Buffer.from(row.payload).toString())).toEqual(["created", "paid"]);
    });

    it("when appendToOutbox is called outside a transaction, then it refuses", async () => {
      await expect(appendToOutbox(fixture.em.fork(), [testEvent("orders")])).rejects.toThrow(/open transaction/);
    });

    it("when the relay runs, then it publishes pending events in order per key and marks them published", async () => {
      const topic = await fixture.newTopic();
      const keys = ["order-x", "order-y", "order-z"];
      const published: IntegrationEvent[] = [];
      for (let n = 0; n < 12; n++) {
        const events = keys.map((key) => testEvent(topic, { key, body: String(n) }));
        published.push(...events);
        await placeOrder(uniqueName("order"), events);
      }
      const seen = new Map<string, number[]>();
      const received: IntegrationEvent[] = [];
      const subscription = await fixture.consumer.subscribe({
        group: uniqueName("order-reader"),
        topics: [topic],
        processedEvents: createMikroOrmProcessedEvents(fixture.em),
        handler: async (event) => {
          received.push(event);
          seen.set(event.key, [...(seen.get(event.key) ?? []), Number(bodyOf(event))]);
        },
      });
      cleanups.push(() => subscription.stop());

      await startRelay({ batchSize: 7 });

      await waitUntil("every event is handled", () => [...seen.values()].flat().length === published.length);
      for (const key of keys) expect(seen.get(key)).toEqual(Array.from({ length: 12 }, (_, n) => n));
      const plain = (event: IntegrationEvent | undefined) => event && { ...event, payload: [...event.payload] };
      expect(plain(received.find((e) => e.id === published[0]?.id))).toEqual(plain(published[0]));
      await waitUntil("every row is marked", async () =>
        (await outboxRows(published.map((e) => e.id))).every((row) => row.publishedAt !== null),
      );
    });

    it("when the relay dies between publish and mark, then the restarted relay publishes again and the consumer ignores the duplicate", async () => {
      const topic = await fixture.newTopic();
      const event = testEvent(topic, { key: uniqueName("order") });
      await placeOrder(event.key, [event]);
      const tally = await subscribeTally(topic);

      await fixture.publishThenDieBeforeMark();
      await waitUntil("the first delivery is handled", () => tally.ids("handled").includes(event.id));
      expect((await outboxRows([event.id]))[0]?.publishedAt).toBeNull();
      await startRelay();

      await waitUntil("the event is delivered a second time", () => tally.deliveries(event.id) === 2);
      expect(await tallyOf(event.id)).toBe(1);
      await waitUntil("the row is marked", async () => (await outboxRows([event.id]))[0]?.publishedAt != null);
    });

    it("when two relays share one outbox, then each event is published once and in order per key", async () => {
      const topic = await fixture.newTopic();
      const tally = await subscribeTally(topic);
      const events: IntegrationEvent[] = [];
      for (let n = 0; n < 10; n++) {
        const batch = ["order-p", "order-q", "order-r"].map((key) => testEvent(topic, { key, body: String(n) }));
        events.push(...batch);
        await placeOrder(uniqueName("order"), batch);
      }

      await Promise.all([startRelay({ batchSize: 4 }), startRelay({ batchSize: 4 })]);

      await waitUntil("every event is handled", () => tally.ids("handled").length >= events.length);
      await waitUntil("every row is marked", async () =>
        (await outboxRows(events.map((e) => e.id))).every((row) => row.publishedAt !== null),
      );
      // Every publish finished before its mark; give a duplicate time to arrive before saying there was none.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(events.map((e) => tally.deliveries(e.id))).toEqual(events.map(() => 1));
      expect(await Promise.all(events.map((e) => tallyOf(e.id)))).toEqual(events.map(() => 1));
      const handledOrder = tally.ids("handled");
      for (const key of ["order-p", "order-q", "order-r"]) {
        const expected = events.filter((e) => e.key === key).map((e) => e.id);
        expect(handledOrder.filter((id) => expected.includes(id))).toEqual(expected);
      }
    });
  });
}
