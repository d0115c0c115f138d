import type { SqlEntityManager } from "@mikro-orm/sql";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { appendToOutbox } from "../../../adapters/mikro-orm/mikro-orm-outbox.ts";
import { signalOutboxCommit } from "../../../adapters/mikro-orm/outbox-commit-signal.ts";
import {
  type OutboxRelay,
  type OutboxRelayOptions,
  startOutboxRelay,
} from "../../../adapters/mikro-orm/mikro-orm-outbox-relay.ts";
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

    const startRelay = async (
      options: Partial<Pick<OutboxRelayOptions, "batchSize" | "pollIntervalMs" | "wakeOnCommit">> = {},
    ): Promise<OutboxRelay> => {
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

    describe("wake-up on commit (the poll set to a minute, so only a wake-up publishes in time)", () => {
      const longPoll = { pollIntervalMs: 60_000 };
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      /** Until the relay's first pass published what earlier tests left, and it sleeps. */
      const relayAsleep = async () => {
        await waitUntil(
          "the outbox is drained",
          async () => (await fixture.em.fork().count(OutboxEvent, { publishedAt: null })) === 0,
        );
        await pause(100);
      };
      const isMarked = async (eventId: string) => (await outboxRows([eventId]))[0]?.publishedAt != null;

      it("when a transaction that appended an event commits, then the relay publishes it at once; with wakeOnCommit false it waits for the poll", async () => {
        const topic = await fixture.newTopic();
        const tally = await subscribeTally(topic);
        const polling = await startRelay({ ...longPoll, wakeOnCommit: false });
        await relayAsleep();
        const unheard = testEvent(topic, { key: uniqueName("order") });
        await placeOrder(unheard.key, [unheard]);
        await pause(1_000);
        expect(await isMarked(unheard.id)).toBe(false);
        await polling.stop();

        await startRelay(longPoll);
        await relayAsleep();
        const event = testEvent(topic, { key: uniqueName("order") });
        const committedAt = Date.now();
        await placeOrder(event.key, [event]);

        await waitUntil("the row is marked", () => isMarked(event.id), 3_000);
        expect(Date.now() - committedAt).toBeLessThan(3_000);
        await waitUntil("the event is handled", () => tally.ids("handled").includes(event.id));
      });

      it("when a transaction rolls back, or commits without outbox rows (its savepoint that appended rolled back), then the relay is not woken; a savepoint's rows wake it on the outer commit", async () => {
        const topic = await fixture.newTopic();
        const tally = await subscribeTally(topic);
        await startRelay(longPoll);
        await relayAsleep();
        const key = uniqueName("order");
        // Another process's row (an entity manager without this relay's commit listener): a wake-up would publish it.
        const foreign = testEvent(topic, { key, body: "foreign" });
        await fixture.em.fork({ freshEventManager: true }).transactional((em) => appendToOutbox(em, [foreign]));
        const rolledBack = testEvent(topic, { key, body: "rolled back" });
        await expect(placeOrder(uniqueName("order"), [rolledBack], true)).rejects.toThrow("payment limit exceeded");
        const releasedThenRolledBack = testEvent(topic, { key, body: "savepoint released, outer rolled back" });
        await expect(
          fixture.em.fork().transactional(async (outer) => {
            await outer.transactional((inner) => appendToOutbox(inner, [releasedThenRolledBack]));
            throw new Error("outer transaction fails");
          }),
        ).rejects.toThrow("outer transaction fails");
        const savepointRolledBack = testEvent(topic, { key, body: "savepoint rolled back, outer committed" });
        await fixture.em.fork().transactional(async (outer) => {
          outer.create(ContractOrder, { id: uniqueName("order"), tenantId: "acme", status: "PENDING" });
          await expect(
            outer.transactional(async (inner) => {
              await appendToOutbox(inner, [savepointRolledBack]);
              throw new Error("savepoint fails");
            }),
          ).rejects.toThrow("savepoint fails");
        });

        await pause(1_000);
        expect(await isMarked(foreign.id)).toBe(false);

        const next = testEvent(topic, { key, body: "next" });
        await fixture.em.fork().transactional(async (outer) => {
          await outer.transactional((inner) => appendToOutbox(inner, [next]));
        });
        await waitUntil(
          "both committed rows are marked",
          async () => (await isMarked(foreign.id)) && (await isMarked(next.id)),
          3_000,
        );
        await waitUntil("both committed events are handled", () => tally.ids("handled").length >= 2);
        await pause(200);
        expect(tally.ids("handled")).toEqual([foreign.id, next.id]);
        expect(await outboxRows([rolledBack.id, releasedThenRolledBack.id, savepointRolledBack.id])).toEqual([]);
      });

      it("when a writer that committed outbox rows outside MikroORM's transactions signals it, then the relay publishes at once", async () => {
        const topic = await fixture.newTopic();
        await startRelay(longPoll);
        await relayAsleep();
        const event = testEvent(topic, { key: uniqueName("order") });
        // Stands in for raw SQL with its own COMMIT (inventory's reservation fast path): no commit event reaches the relay.
        await fixture.em.fork({ freshEventManager: true }).transactional((em) => appendToOutbox(em, [event]));
        await pause(300);
        expect(await isMarked(event.id)).toBe(false);

        signalOutboxCommit(fixture.em);

        await waitUntil("the row is marked", () => isMarked(event.id), 3_000);
      });

      it("when 100 transactions append in a burst, then every event is published once, in order per key, without waiting for the poll", async () => {
        const topic = await fixture.newTopic();
        const tally = await subscribeTally(topic);
        await startRelay(longPoll);
        await relayAsleep();
        const keys = ["order-a", "order-b", "order-c", "order-d", "order-e"];
        const perKey = new Map(
          keys.map((key) => [key, Array.from({ length: 20 }, (_, n) => testEvent(topic, { key, body: String(n) }))]),
        );

        // Keys concurrently, each key's transactions one after the other (the aggregate serializes them).
        await Promise.all(
          keys.map(async (key) => {
            for (const event of perKey.get(key) ?? []) await placeOrder(uniqueName("order"), [event]);
          }),
        );

        const all = [...perKey.values()].flat();
        await waitUntil("every event is handled", () => tally.ids("handled").length >= all.length, 10_000);
        await pause(500);
        expect(all.map((e) => tally.deliveries(e.id))).toEqual(all.map(() => 1));
        const handled = tally.ids("handled");
        for (const key of keys) {
          const expected = (perKey.get(key) ?? []).map((e) => e.id);
          expect(handled.filter((id) => expected.includes(id))).toEqual(expected);
        }
      });
    });
  });
}
