import { type Consumer, type EachMessagePayload, type Kafka, Partitioners, type Producer } from "kafkajs";
import type { EventConsumer, RunningSubscription, Subscription } from "../../core/kit/event-consumer.ts";
import { deliverEvent } from "../../core/kit/event-delivery.ts";
import { toDeadLetterMessage } from "./kafka-dead-letter.ts";
import { deadLetterTopic, eventFromKafkaMessage, MalformedEnvelopeError } from "./kafka-event-envelope.ts";
import { ensureTopics } from "./kafka-topics.ts";

export interface KafkaConsumerOptions {
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** How long a fetch waits for new messages; also bounds how long stop() waits for a fetch. */
  readonly maxWaitTimeMs?: number;
  /** Partitions of one member handled at the same time (each one still in order). */
  readonly partitionsConsumedConcurrently?: number;
}

/**
 * Each subscription is one kafkajs consumer in the subscription's group. Offsets are committed
 * one message at a time, only after the message was handled, found to be a duplicate, or
 * parked on `<topic>.dlq`; a member that stops or dies before that sees it again.
 */
export function createKafkaEventConsumer(kafka: Kafka, options: KafkaConsumerOptions = {}): EventConsumer {
  return {
    async subscribe(subscription) {
      await ensureTopics(kafka, subscription.topics.map(deadLetterTopic), { withDeadLetters: false });
      const deadLetters = kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Bounded, so that a broker outage fails the message (redelivered later) instead of hanging stop().
        retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 5_000 },
      });
      await deadLetters.connect();
      const consumer = kafka.consumer({
        groupId: subscription.group,
        sessionTimeout: options.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
        maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
        allowAutoTopicCreation: false,
      });
      const stopping = new AbortController();
      const inFlight = new Set<Promise<void>>();
      const track = (handling: Promise<void>) => {
        inFlight.add(handling);
        handling.then(
          () => inFlight.delete(handling),
          () => inFlight.delete(handling),
        );
        return handling;
      };
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [...subscription.topics], fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 4,
          eachMessage: (payload) => track(handleMessage(payload, subscription, consumer, deadLetters, stopping.signal)),
        });
      } catch (error) {
        await Promise.allSettled([consumer.disconnect(), deadLetters.disconnect()]);
        throw error;
      }
      return runningSubscription(consumer, deadLetters, stopping, inFlight);
    },
  };
}

async function handleMessage(
  { topic, partition, message, heartbeat }: EachMessagePayload,
  subscription: Subscription,
  consumer: Consumer,
  deadLetters: Producer,
  stopping: AbortSignal,
): Promise<void> {
  // Returning without a commit leaves the message to whoever owns the partition next.
  if (stopping.aborted) return;
  const commit = () => consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
  const park = (reason: string, attempts: number) =>
    deadLetters.send({
      topic: deadLetterTopic(topic),
      acks: -1,
      messages: [toDeadLetterMessage(message, { topic, partition, consumerGroup: subscription.group, reason, attempts })],
    });

  let event: ReturnType<typeof eventFromKafkaMessage>;
  try {
    event = eventFromKafkaMessage(topic, message);
  } catch (error) {
    if (!(error instanceof MalformedEnvelopeError)) throw error;
    const reason = `${error.name}: ${error.message}`;
    subscription.onOutcome?.({ kind: "dead-lettered", event: undefined, attempts: 0, reason });
    await park(reason, 0);
    await commit();
    return;
  }

  const result = await deliverEvent(event, subscription, { stopping, whileWaiting: heartbeat });
  if (result.kind === "abandoned") return;
  if (result.kind === "dead-letter") await park(result.reason, result.attempts);
  await commit();
}

function runningSubscription(
  consumer: Consumer,
  deadLetters: Producer,
  stopping: AbortController,
  inFlight: ReadonlySet<Promise<void>>,
): RunningSubscription {
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        // kafkajs drops commits once its runner is stopping: let the handlers in flight commit first.
        await Promise.allSettled([...inFlight]);
        await consumer.disconnect();
        await deadLetters.disconnect();
      })();
      return stopped;
    },
  };
}
