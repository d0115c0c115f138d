import type { Kafka } from "kafkajs";
import { kafkaHealthProbe } from "../../adapters/kafka/kafka-health-probe.ts";
import type { KafkaEventPublisher } from "../../adapters/kafka/kafka-event-publisher.ts";
import type { ContextModule } from "./context-module.ts";

/**
 * A process's Kafka connection as a module: its health probe, and a disconnect on stop. List it
 * before the contexts that publish through it, so it stops after their outbox relays have.
 */
export function kafkaModule(kafka: Kafka, publisher: KafkaEventPublisher): ContextModule {
  const probe = kafkaHealthProbe(kafka);
  return {
    name: "kafka",
    handlers: [],
    probes: [probe],
    async stop() {
      await publisher.disconnect();
      await probe.close();
    },
  };
}
