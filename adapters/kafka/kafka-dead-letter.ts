import type { KafkaMessage, Message } from "kafkajs";

export const DeadLetterHeader = {
  reason: "dlq-reason",
  attempts: "dlq-attempts",
  originalTopic: "dlq-original-topic",
  originalPartition: "dlq-original-partition",
  originalOffset: "dlq-original-offset",
  consumerGroup: "dlq-consumer-group",
} as const;

export interface DeadLetterOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly consumerGroup: string;
  readonly reason: string;
  /** 0 when the message was not a readable event and no handler ran. */
  readonly attempts: number;
}

/** The message as it was consumed (key, payload, headers), plus why and where it failed. */
export function toDeadLetterMessage(message: KafkaMessage, origin: DeadLetterOrigin): Message {
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [DeadLetterHeader.reason]: origin.reason,
      [DeadLetterHeader.attempts]: String(origin.attempts),
      [DeadLetterHeader.originalTopic]: origin.topic,
      [DeadLetterHeader.originalPartition]: String(origin.partition),
      [DeadLetterHeader.originalOffset]: message.offset,
      [DeadLetterHeader.consumerGroup]: origin.consumerGroup,
    },
  };
}
