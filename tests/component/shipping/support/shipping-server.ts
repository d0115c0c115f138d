import type { Transport } from "@connectrpc/connect";
import { sequentialIds } from "../../../../core/kit/ids.ts";
import type { IntegrationEvent } from "../../../../core/kit/integration-event.ts";
import type { RunningSubscription } from "../../../../core/kit/event-consumer.ts";
import { createSandboxCarrier, type SandboxCarrier } from "../../../../adapters/carrier/sandbox-carrier.ts";
import { createKafka } from "../../../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher, type KafkaEventPublisher } from "../../../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../../../adapters/kafka/kafka-topics.ts";
import { createMemoryProcessedEvents } from "../../../../adapters/memory/memory-processed-events.ts";
import { createLogger } from "../../../../adapters/observability/logger.ts";
import { SHIPPING_EVENTS_TOPIC } from "../../../../services/shipping/shipping-event-mapper.ts";
import { shippingEntities, shippingModule } from "../../../../services/shipping/shipping-module.ts";
import { requiredEnv } from "../../../support/required-env.ts";
import { openSqlTestDatabase, type SqlTestDatabase } from "../../../support/sql-test-database.ts";
import { uniqueName } from "../../../support/unique-name.ts";
import { type TestIdentity, testIdentity } from "../../users/support/identity.ts";
import { startTestProcess } from "../../../support/test-process.ts";

const fast = { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxWaitTimeMs: 100 };

export interface ShippingServer {
  readonly url: string;
  readonly db: SqlTestDatabase;
  readonly identity: TestIdentity;
  readonly carrier: SandboxCarrier;
  /** A topic of this suite's own that the server consumes as `order-events`. */
  readonly orderEventsTopic: string;
  /** Publishes to Kafka, as orders would. */
  readonly publisher: KafkaEventPublisher;
  /** Every event read back from `shipping-events` on Kafka since the start (all tenants and suites). */
  readonly shippingEvents: IntegrationEvent[];
  readonly webhookSecret: string;
  transport(kind: "grpc" | "connect"): Transport;
  stop(): Promise<void>;
}

/**
 * ShippingService on port 0: a database of its own on the local MariaDB, the real Kafka publisher
 * (outbox relay) and consumer (order-events, on a topic of its own), the sandbox carrier, real JWTs.
 */
export async function startShippingServer(): Promise<ShippingServer> {
  const logger = createLogger("shipping-test", "silent");
  const kafka = createKafka({ brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","), clientId: uniqueName("shipping-test") });
  const orderEventsTopic = uniqueName("order-events-shipping");
  await ensureTopics(kafka, [orderEventsTopic, SHIPPING_EVENTS_TOPIC]);
  const publisher = createKafkaEventPublisher(kafka);
  const db = await openSqlTestDatabase("mariadb", "shipping_component", shippingEntities);
  const identity = await testIdentity();
  const clock = { now: () => new Date() };
  const carrier = createSandboxCarrier({ newId: sequentialIds(uniqueName("t").replaceAll("_", "")), clock });
  const webhookSecret = `test-${crypto.randomUUID()}-${crypto.randomUUID()}`;
  const module = shippingModule({
    db: { ...db, close: async () => {} }, // the test disposes the database itself
    publisher,
    consumer: createKafkaEventConsumer(kafka, fast),
    carrier,
    webhookSecret,
    clock,
    logger,
    resolveIdentity: identity.resolveIdentity,
    orderEventsTopic,
    consumerGroup: uniqueName("shipping"),
  });
  const shippingEvents: IntegrationEvent[] = [];
  const reader: RunningSubscription = await createKafkaEventConsumer(kafka, fast).subscribe({
    group: uniqueName("shipping-events-reader"),
    topics: [SHIPPING_EVENTS_TOPIC],
    processedEvents: createMemoryProcessedEvents(),
    handler: async (event) => {
      shippingEvents.push(event);
    },
  });
  const served = await startTestProcess([module], logger);
  return {
    url: served.url,
    db,
    identity,
    carrier,
    orderEventsTopic,
    publisher,
    shippingEvents,
    webhookSecret,
    transport: served.transport,
    async stop() {
      await reader.stop();
      await served.stop();
      await publisher.disconnect();
      await db.dispose();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [orderEventsTopic, `${orderEventsTopic}.dlq`] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
