import { describe, expect, it } from "vitest";
import { createMemoryEventBus } from "../../../adapters/memory/memory-event-bus.ts";
import { appendToOutbox } from "../../../adapters/mikro-orm/mikro-orm-outbox.ts";
import { ensureRelayLock, publishOutboxBatch, startOutboxRelay } from "../../../adapters/mikro-orm/mikro-orm-outbox-relay.ts";
import { OutboxEvent } from "../../../adapters/mikro-orm/outbox-event-entity.ts";
import type { EventPublisher } from "../../../core/kit/event-publisher.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { describeOutboxContract } from "./outbox.contract.ts";
import { createSqliteTestDatabase } from "./support/sqlite-test-database.ts";
import { testEvent } from "./support/test-events.ts";
import { uniqueName } from "./support/unique-name.ts";
import { waitUntil } from "./support/wait-until.ts";

class RelayDied extends Error {}

describeOutboxContract("SQLite (node:sqlite) + in-process bus", async () => {
  const database = await createSqliteTestDatabase();
  const bus = createMemoryEventBus({ partitions: 3 });
  return {
    em: database.em,
    publisher: bus.publisher,
    consumer: bus.consumer,
    newTopic: async () => uniqueName("topic"),
    async publishThenDieBeforeMark() {
      // In one process a crash looks like this: the broker has the batch, the mark's transaction never commits.
      await ensureRelayLock(database.em);
      const dying: EventPublisher = {
        async publish(events) {
          await bus.publisher.publish(events);
          throw new RelayDied("killed after the broker acknowledged");
        },
      };
      await expect(publishOutboxBatch(database.em, dying, { batchSize: 100 })).rejects.toBeInstanceOf(RelayDied);
    },
    dispose: () => database.dispose(),
  };
});

describe("outbox relay on SQLite", () => {
  const appendOne = async (em: Awaited<ReturnType<typeof createSqliteTestDatabase>>["em"], event: IntegrationEvent) =>
    em.fork().transactional((tx) => appendToOutbox(tx, [event]));

  it("when the broker is down, then the relay retries with growing delays and publishes once it is back", async () => {
    const database = await createSqliteTestDatabase();
    const bus = createMemoryEventBus();
    const event = testEvent("orders");
    await appendOne(database.em, event);
    let brokerUp = false;
    const broker: EventPublisher = {
      async publish(events) {
        if (!brokerUp) throw new Error("connect ECONNREFUSED 127.0.0.1:9092");
        await bus.publisher.publish(events);
      },
    };
    const delays: number[] = [];
    const relay = await startOutboxRelay({
      em: database.em,
      publisher: broker,
      pollIntervalMs: 10,
      backoff: { initialDelayMs: 10, maxDelayMs: 40 },
      onError: (_error, retryInMs) => delays.push(retryInMs),
    });

    await waitUntil("four failed attempts", () => delays.length >= 4);
    expect(delays.slice(0, 4)).toEqual([10, 20, 40, 40]);
    brokerUp = true;
    await waitUntil(
      "the row is marked",
      async () => (await database.em.fork().findOneOrFail(OutboxEvent, { eventId: event.id })).publishedAt !== null,
    );
    await relay.stop();
    await database.dispose();
  });

  it("when the relay is stopped during a publish, then stop resolves after that batch is marked", async () => {
    const database = await createSqliteTestDatabase();
    const event = testEvent("orders");
    await appendOne(database.em, event);
    let release: () => void = () => {};
    let publishing = false;
    const slowBroker: EventPublisher = {
      publish: () =>
        new Promise<void>((resolve) => {
          publishing = true;
          release = resolve;
        }),
    };
    const relay = await startOutboxRelay({ em: database.em, publisher: slowBroker, pollIntervalMs: 10 });
    await waitUntil("the batch is being published", () => publishing);

    let stopped = false;
    const stopping = relay.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stopped).toBe(false);
    release();
    await stopping;

    expect((await database.em.fork().findOneOrFail(OutboxEvent, { eventId: event.id })).publishedAt).not.toBeNull();
    await database.dispose();
  });
});
