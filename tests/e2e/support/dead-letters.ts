import type { Kafka } from "kafkajs";
import { EventHeader, headerText } from "../../../adapters/kafka/kafka-event-envelope.ts";
import { uniqueName } from "../../support/unique-name.ts";

/**
 * The consumer groups that parked the event `eventId` on `<topic>.dlq` (header
 * dlq-consumer-group), reading the dead-letter topic from the beginning until `groups` are all
 * there or the time is up.
 */
export async function deadLetteredBy(
  kafka: Kafka,
  deadLetterTopic: string,
  eventId: string,
  groups: readonly string[],
  timeoutMs = 60_000,
): Promise<string[]> {
  const found = new Set<string>();
  const consumer = kafka.consumer({ groupId: uniqueName("e2e-dlq"), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [deadLetterTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const headers = message.headers ?? {};
        if (headerText(headers, EventHeader.id) !== eventId) return;
        const group = headerText(headers, "dlq-consumer-group");
        if (group) found.add(group);
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!groups.every((g) => found.has(g)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    await consumer.disconnect();
  }
  return [...found].sort();
}
