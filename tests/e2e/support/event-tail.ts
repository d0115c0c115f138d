import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { fromBinary } from "@bufbuild/protobuf";
import type { Consumer, Kafka } from "kafkajs";
import { EventHeader, headerText } from "../../../adapters/kafka/kafka-event-envelope.ts";
import { uniqueName } from "../../support/unique-name.ts";

/**
 * Reads a topic the way the notifications context will: every event, decoded. Tests take the
 * single-use tokens that only travel in events (verification, password reset) from here.
 */
export class EventTail {
  readonly #seen: { type: string; payload: Buffer }[] = [];
  #consumer: Consumer | undefined;

  async start(kafka: Kafka, topic: string): Promise<void> {
    this.#consumer = kafka.consumer({ groupId: uniqueName("e2e-tail"), maxWaitTimeInMs: 100 });
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: [topic], fromBeginning: true });
    await this.#consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        this.#seen.push({
          type: headerText(message.headers ?? {}, EventHeader.type) ?? "",
          payload: message.value ?? Buffer.alloc(0),
        });
      },
    });
  }

  /** The first event of `schema` for which `matches` holds, waiting up to `timeoutMs`. */
  async next<D extends DescMessage>(
    schema: D,
    matches: (event: MessageShape<D>) => boolean,
    timeoutMs = 20_000,
  ): Promise<MessageShape<D>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const entry of this.#seen) {
        if (entry.type !== schema.typeName) continue;
        const event = fromBinary(schema, entry.payload);
        if (matches(event)) return event;
      }
      if (Date.now() > deadline) throw new Error(`no ${schema.typeName} matched within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await this.#consumer?.disconnect();
  }
}
