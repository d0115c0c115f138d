import type { Kafka } from "kafkajs";

/**
 * Commits the current end of each topic as the starting offsets of NEW consumer groups (tests
 * only; the groups must have no member yet). A fresh group otherwise starts at the beginning
 * (the consumer subscribes `fromBeginning`) and replays every event earlier runs left on the
 * shared broker, each one through the dedupe store: minutes on a long-lived topic. Committed
 * before the consumer joins, so nothing published after this call is skipped.
 */
export async function startGroupsAtEnd(
  kafka: Kafka,
  groups: readonly { group: string; topics: readonly string[] }[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = [...new Set(groups.flatMap((g) => g.topics))];
    const ends = new Map(await Promise.all(topics.map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const)));
    await Promise.all(
      groups.map(({ group, topics }) =>
        commitAsMember(
          kafka,
          group,
          topics.map((topic) => ({
            topic,
            partitions: ends.get(topic)!.map((p) => ({ partition: p.partition, offset: p.high })),
          })),
        ),
      ),
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Joins the group as its only member (holding every partition), commits, leaves. kafkajs's
 * `admin.setOffsets` does the same but waits for a whole fetch round (~5 s) before it leaves.
 */
async function commitAsMember(
  kafka: Kafka,
  groupId: string,
  offsets: { topic: string; partitions: { partition: number; offset: string }[] }[],
): Promise<void> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: offsets.map((o) => o.topic) });
    // Resolves once joined and synced; nothing is handled or committed but the offsets below.
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} });
    consumer.pause(offsets.map((o) => ({ topic: o.topic })));
    await consumer.commitOffsets(offsets.flatMap((o) => o.partitions.map((p) => ({ topic: o.topic, ...p }))));
  } finally {
    await consumer.disconnect();
  }
}
