import { describe, expect, it } from "vitest";
import { createKafka } from "../../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher } from "../../../adapters/kafka/kafka-event-publisher.ts";
import { appendToOutbox } from "../../../adapters/mikro-orm/mikro-orm-outbox.ts";
import { startOutboxRelay } from "../../../adapters/mikro-orm/mikro-orm-outbox-relay.ts";
import { OutboxEvent } from "../../../adapters/mikro-orm/outbox-event-entity.ts";
import type { EventPublisher } from "../../../core/kit/event-publisher.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { describeOutboxContract } from "./outbox.contract.ts";
import { killRelayAfterPublish } from "./support/kill-relay-after-publish.ts";
import { createMariaDbTestDatabase } from "./support/mariadb-test-database.ts";
import { createTestKafka, fastConsumerTimings, testTopics } from "./support/test-kafka.ts";
import { testEvent } from "./support/test-events.ts";
import { waitUntil } from "./support/wait-until.ts";

describeOutboxContract("MariaDB + Kafka", async () => {
  const database = await createMariaDbTestDatabase("outbox");
  const kafka = createTestKafka();
  const publisher = createKafkaEventPublisher(kafka);
  const topics = testTopics(kafka, 3);
  return {
    em: database.em,
    publisher,
    consumer: createKafkaEventConsumer(kafka, fastConsumerTimings),
    newTopic: () => topics.create("outbox"),
    async publishThenDieBeforeMark() {
      await killRelayAfterPublish(database.name);
    },
    async dispose() {
      await publisher.disconnect();
      await topics.deleteAll();
      await database.dispose();
    },
  };
});

describe("outbox relay on MariaDB with the broker unreachable", () => {
  it("when nothing listens on the broker address, then the relay backs off with growing delays and leaves the rows unpublished", async () => {
    const database = await createMariaDbTestDatabase("outbox_down");
    const unreachable = createKafka({
      brokers: ["127.0.0.1:1"],
      clientId: "relay-down",
      retry: { retries: 0, initialRetryTimeMs: 10 },
      log: () => {},
    });
    const publisher = createKafkaEventPublisher(unreachable, { retries: 1, maxRetryTimeMs: 20 });
    const event = testEvent("orders");
    await database.em.fork().transactional((em) => appendToOutbox(em, [event]));
    const delays: number[] = [];
    const errors: unknown[] = [];
    const relay = await startOutboxRelay({
      em: database.em,
      publisher,
      backoff: { initialDelayMs: 10, maxDelayMs: 40 },
      onError: (error, retryInMs) => {
        errors.push(error);
        delays.push(retryInMs);
      },
    });
    try {
      await waitUntil("four failed attempts", () => delays.length >= 4);
      await relay.stop();

      expect(delays.slice(0, 4)).toEqual([10, 20, 40, 40]);
      expect(String(errors[0])).toMatch(/ECONNREFUSED|Connection error/);
      expect((await database.em.fork().findOneOrFail(OutboxEvent, { eventId: event.id })).publishedAt).toBeNull();
    } finally {
      await relay.stop();
      await database.dispose();
    }
  });
});

describe("outbox relay wake-ups on MariaDB", () => {
  it("when ten transactions commit while a pass is publishing, then the relay makes exactly one more pass, for all ten", async () => {
    const database = await createMariaDbTestDatabase("outbox_wake");
    const batches: string[][] = [];
    let releaseFirst = () => {};
    const firstReleased = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    // The broker stand-in holds the first batch, so the commits below land while that pass runs.
    const publisher: EventPublisher = {
      async publish(events) {
        batches.push(events.map((event) => event.id));
        if (batches.length === 1) await firstReleased;
      },
    };
    const append = (event: IntegrationEvent) => database.em.fork().transactional((em) => appendToOutbox(em, [event]));
    const relay = await startOutboxRelay({ em: database.em, publisher, pollIntervalMs: 60_000 });
    try {
      const first = testEvent("orders");
      await append(first);
      await waitUntil("the first pass is publishing", () => batches.length === 1, 3_000);
      const rest = Array.from({ length: 10 }, () => testEvent("orders"));
      for (const event of rest) await append(event);
      releaseFirst();

      const all = [first, ...rest].map((event) => event.id);
      await waitUntil(
        "every row is marked",
        async () =>
          (await database.em.fork().count(OutboxEvent, { eventId: { $in: all }, publishedAt: { $ne: null } })) === all.length,
        3_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(batches).toEqual([[first.id], rest.map((event) => event.id)]);
    } finally {
      releaseFirst();
      await relay.stop();
      await database.dispose();
    }
  });
});
