import { type Kafka, Partitioners, type TopicMessages } from "kafkajs";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import { toKafkaMessage } from "./kafka-event-envelope.ts";

export interface KafkaEventPublisher extends EventPublisher {
  disconnect(): Promise<void>;
}

/**
 * An idempotent producer (acks from all in-sync replicas, one request in flight), so a batch
 * is stored once and in order per partition even when the producer retries a request.
 * Retries are bounded: a broker that stays down fails `publish`, and the caller (the outbox
 * relay) backs off and publishes the batch again. It connects on first use, so a service can
 * start while the broker is down.
 */
export function createKafkaEventPublisher(
  kafka: Kafka,
  options: { retries?: number; maxRetryTimeMs?: number } = {},
): KafkaEventPublisher {
  const producer = kafka.producer({
    // Named, so kafkajs does not warn: the Java client's murmur2 on the message key.
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { retries: options.retries ?? 5, initialRetryTime: 100, maxRetryTime: options.maxRetryTimeMs ?? 5_000 },
  });
  let connected: Promise<void> | undefined;
  const connect = () =>
    (connected ??= producer.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    }));
  return {
    async publish(events) {
      if (events.length === 0) return;
      await connect();
      const byTopic = new Map<string, TopicMessages>();
      for (const event of events) {
        const batch = byTopic.get(event.topic) ?? { topic: event.topic, messages: [] };
        batch.messages.push(toKafkaMessage(event));
        byTopic.set(event.topic, batch);
      }
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic.values()] });
    },
    disconnect: () => producer.disconnect(),
  };
}
