import type { Kafka, KafkaMessage } from "kafkajs";
import { createKafka } from "../../../../adapters/kafka/kafka-client.ts";
import { deadLetterTopic } from "../../../../adapters/kafka/kafka-event-envelope.ts";
import type { KafkaConsumerOptions } from "../../../../adapters/kafka/kafka-event-consumer.ts";
import { ensureTopics } from "../../../../adapters/kafka/kafka-topics.ts";
import { requiredEnv } from "./required-env.ts";
import { uniqueName } from "./unique-name.ts";

export function createTestKafka(): Kafka {
  return createKafka({ brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","), clientId: uniqueName("contract") });
}

/** Short timings, so that groups join, fetch and leave in well under a second. */
export const fastConsumerTimings: KafkaConsumerOptions = {
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 500,
  maxWaitTimeMs: 100,
};

export interface RawRecord {
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** Reads `count` raw messages of `topic` from the beginning with a throwaway group. */
export async function readRawMessages(kafka: Kafka, topic: string, count: number, timeoutMs = 15_000): Promise<RawRecord[]> {
  const consumer = kafka.consumer({
    groupId: uniqueName("raw-reader"),
    sessionTimeout: fastConsumerTimings.sessionTimeoutMs as number,
    heartbeatInterval: fastConsumerTimings.heartbeatIntervalMs as number,
    maxWaitTimeInMs: fastConsumerTimings.maxWaitTimeMs as number,
  });
  const records: RawRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done: () => void = () => {};
    const enough = new Promise<void>((resolve) => {
      done = resolve;
    });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({ partition, message });
        if (records.length >= count) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`read ${records.length} of ${count} messages from ${topic}`)), timeoutMs);
    });
    await Promise.race([enough, timeout]).finally(() => clearTimeout(timer));
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/** Creates unique topics (with their dead-letter topics) and deletes them all when the suite ends. */
export function testTopics(kafka: Kafka, partitions: number) {
  const created: string[] = [];
  return {
    async create(prefix: string, options: { partitions?: number } = {}): Promise<string> {
      const topic = uniqueName(prefix);
      await ensureTopics(kafka, [topic], { partitions: options.partitions ?? partitions });
      created.push(topic, deadLetterTopic(topic));
      return topic;
    },
    async deleteAll(): Promise<void> {
      if (created.length === 0) return;
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.deleteTopics({ topics: created.splice(0) });
      } finally {
        await admin.disconnect();
      }
    },
  };
}
