import { type Kafka, Partitioners } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeadLetterHeader } from "../../../adapters/kafka/kafka-dead-letter.ts";
import { deadLetterTopic, EventHeader, eventFromKafkaMessage, headerText } from "../../../adapters/kafka/kafka-event-envelope.ts";
import { createKafkaEventConsumer } from "../../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher, type KafkaEventPublisher } from "../../../adapters/kafka/kafka-event-publisher.ts";
import { createMemoryProcessedEvents } from "../../../adapters/memory/memory-processed-events.ts";
import type { DeliveryOutcome } from "../../../core/kit/event-consumer.ts";
import { describeEventBusContract } from "./event-bus.contract.ts";
import { createTestKafka, fastConsumerTimings, readRawMessages, testTopics } from "./support/test-kafka.ts";
import { testEvent } from "./support/test-events.ts";
import { uniqueName } from "./support/unique-name.ts";
import { waitUntil } from "./support/wait-until.ts";

const PARTITIONS = 3;

describeEventBusContract("Kafka", async () => {
  const kafka = createTestKafka();
  const publisher = createKafkaEventPublisher(kafka);
  const topics = testTopics(kafka, PARTITIONS);
  return {
    publisher,
    consumer: createKafkaEventConsumer(kafka, fastConsumerTimings),
    newTopic: () => topics.create("contract"),
    async deadLetters(topic, count) {
      const records = await readRawMessages(kafka, deadLetterTopic(topic), count);
      return records.map(({ message }) => {
        const headers = message.headers ?? {};
        return {
          event: eventFromKafkaMessage(topic, message),
          reason: headerText(headers, DeadLetterHeader.reason) ?? "",
          attempts: Number(headerText(headers, DeadLetterHeader.attempts)),
          originalTopic: headerText(headers, DeadLetterHeader.originalTopic) ?? "",
          consumerGroup: headerText(headers, DeadLetterHeader.consumerGroup) ?? "",
        };
      });
    },
    async dispose() {
      await publisher.disconnect();
      await topics.deleteAll();
    },
  };
});

describe("Kafka wire format", () => {
  let kafka: Kafka;
  let publisher: KafkaEventPublisher;
  let topics: ReturnType<typeof testTopics>;
  beforeAll(() => {
    kafka = createTestKafka();
    publisher = createKafkaEventPublisher(kafka);
    topics = testTopics(kafka, PARTITIONS);
  });
  afterAll(async () => {
    await publisher?.disconnect();
    await topics?.deleteAll();
  });

  it("when an event is published, then its key is tenant/key and its envelope travels as headers", async () => {
    const topic = await topics.create("wire");
    const event = testEvent(topic, { key: "order-7", tenantId: "globex", schemaVersion: 2 });

    await publisher.publish([event]);

    const [record] = await readRawMessages(kafka, topic, 1);
    const message = record?.message;
    expect(message?.key?.toString()).toBe("globex/order-7");
    expect(Buffer.from(message?.value ?? []).equals(Buffer.from(event.payload))).toBe(true);
    const headers = Object.fromEntries(Object.entries(message?.headers ?? {}).map(([name, value]) => [name, String(value)]));
    expect(headers).toEqual({
      [EventHeader.id]: event.id,
      [EventHeader.type]: "shop.events.v1.OrderCreated",
      [EventHeader.schemaVersion]: "2",
      [EventHeader.tenantId]: "globex",
      [EventHeader.correlationId]: event.correlationId,
      [EventHeader.occurredAt]: "2026-03-01T12:34:56.789Z",
    });
  });

  it("when events of many keys are published, then they spread over the partitions and each key stays on one", async () => {
    const topic = await topics.create("spread");
    const keys = Array.from({ length: 12 }, (_, n) => `order-${n}`);

    await publisher.publish([...keys, ...keys].map((key) => testEvent(topic, { key })));

    const records = await readRawMessages(kafka, topic, keys.length * 2);
    const partitionsByKey = new Map<string, Set<number>>();
    for (const { partition, message } of records) {
      const key = String(message.key);
      partitionsByKey.set(key, (partitionsByKey.get(key) ?? new Set()).add(partition));
    }
    expect([...partitionsByKey.values()].every((partitions) => partitions.size === 1)).toBe(true);
    expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
  });

  it("when a handler keeps failing, then the dead letter keeps the original key, payload and headers and adds where and why it failed", async () => {
    const topic = await topics.create("poison");
    const group = uniqueName("poison-group");
    const event = testEvent(topic, { key: "order-13", body: "not protobuf" });
    const subscription = await createKafkaEventConsumer(kafka, fastConsumerTimings).subscribe({
      group,
      topics: [topic],
      processedEvents: createMemoryProcessedEvents(),
      retry: { maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 50 },
      handler: async () => {
        throw new RangeError("index out of range: 4 + 101 > 13");
      },
    });

    try {
      await publisher.publish([event]);
      const [original] = await readRawMessages(kafka, topic, 1);
      const [parked] = await readRawMessages(kafka, deadLetterTopic(topic), 1);

      expect(parked?.message.key?.toString()).toBe("acme/order-13");
      expect(parked?.message.value?.toString()).toBe("not protobuf");
      const headers = Object.fromEntries(
        Object.entries(parked?.message.headers ?? {}).map(([name, value]) => [name, String(value)]),
      );
      expect(headers).toMatchObject({
        [EventHeader.id]: event.id,
        [EventHeader.type]: event.type,
        [EventHeader.tenantId]: "acme",
        [EventHeader.correlationId]: event.correlationId,
        [DeadLetterHeader.reason]: "RangeError: index out of range: 4 + 101 > 13",
        [DeadLetterHeader.attempts]: "4",
        [DeadLetterHeader.originalTopic]: topic,
        [DeadLetterHeader.originalPartition]: String(original?.partition),
        [DeadLetterHeader.originalOffset]: original?.message.offset,
        [DeadLetterHeader.consumerGroup]: group,
      });
    } finally {
      await subscription.stop();
    }
  });

  it("when a message has no event envelope, then it is dead-lettered without calling the handler and the next event is handled", async () => {
    const topic = await topics.create("malformed", { partitions: 1 });
    const outcomes: DeliveryOutcome[] = [];
    let handlerCalls = 0;
    const subscription = await createKafkaEventConsumer(kafka, fastConsumerTimings).subscribe({
      group: uniqueName("malformed-group"),
      topics: [topic],
      processedEvents: createMemoryProcessedEvents(),
      handler: async () => {
        handlerCalls++;
      },
      onOutcome: (outcome) => outcomes.push(outcome),
    });

    try {
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic, messages: [{ key: "acme/order-1", value: "hello", headers: { "event-type": "x" } }] });
      await producer.disconnect();
      await publisher.publish([testEvent(topic)]);

      await waitUntil("the valid event is handled", () => outcomes.some((o) => o.kind === "handled"));
      const [parked] = await readRawMessages(kafka, deadLetterTopic(topic), 1);
      expect(headerText(parked?.message.headers ?? {}, DeadLetterHeader.reason)).toBe(
        "MalformedEnvelopeError: header tenant-id is missing",
      );
      expect(headerText(parked?.message.headers ?? {}, DeadLetterHeader.attempts)).toBe("0");
      expect(handlerCalls).toBe(1);
    } finally {
      await subscription.stop();
    }
  });
});
