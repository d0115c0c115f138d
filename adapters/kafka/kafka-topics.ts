import type { Kafka } from "kafkajs";
import { deadLetterTopic } from "./kafka-event-envelope.ts";

/** Creates the topics that do not exist yet (with their dead-letter topics); existing ones are left as they are. */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  options: { partitions?: number; withDeadLetters?: boolean } = {},
): Promise<void> {
  const { partitions = 3, withDeadLetters = true } = options;
  const names = withDeadLetters ? topics.flatMap((topic) => [topic, deadLetterTopic(topic)]) : [...topics];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((name) => !existing.has(name));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      // No replication factor: the broker's default.replication.factor applies (1 on the local single node).
      topics: missing.map((topic) => ({ topic, numPartitions: partitions })),
    });
    // A leader elected by the controller is not yet a partition the broker serves: until its
    // metadata catches up, a produce answers "does not host this topic-partition". Asking the
    // leaders for offsets succeeds only once they do.
    for (const topic of missing) await untilServed(() => admin.fetchTopicOffsets(topic));
  } finally {
    await admin.disconnect();
  }
}

async function untilServed(ask: () => Promise<unknown>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await ask();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
