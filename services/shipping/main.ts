import { systemClock } from "../../core/kit/clock.ts";
import { randomId } from "../../core/kit/ids.ts";
import { createSandboxCarrier } from "../../adapters/carrier/sandbox-carrier.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher } from "../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../adapters/kafka/kafka-topics.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { platformModule } from "../platform/platform-module.ts";
import { kafkaModule } from "../runtime/kafka-module.ts";
import { startMeshIdentity } from "../runtime/mesh-identity.ts";
import { retentionSettingsOf } from "../runtime/retention-config.ts";
import { startProcess, stopOnSignals } from "../runtime/run-process.ts";
import { ORDER_EVENTS_TOPIC } from "./order-events-subscription.ts";
import { shippingConfigSchema, shippingPolicyOf } from "./shipping-config.ts";
import { SHIPPING_EVENTS_TOPIC } from "./shipping-event-mapper.ts";
import { shippingEntities, shippingModule } from "./shipping-module.ts";

const config = readConfig(shippingConfigSchema);
const logger = createLogger("shipping", config.SHOPMESH_LOG_LEVEL);

const kafka = createKafka({ brokers: config.SHOPMESH_KAFKA_BROKERS, clientId: "shipping" });
await ensureTopics(kafka, [SHIPPING_EVENTS_TOPIC, ORDER_EVENTS_TOPIC]);
const publisher = createKafkaEventPublisher(kafka);
const identity = await startMeshIdentity("shipping", kafka, config, logger);

const db = await openSqlDatabase(
  { kind: "mysql", url: config.SHOPMESH_MYSQL_URL, database: config.SHOPMESH_SHIPPING_DATABASE },
  shippingEntities,
);
// The only carrier so far is the in-process sandbox; a real one is another adapter of the Carrier port.
const shipping = shippingModule({
  db,
  publisher,
  consumer: createKafkaEventConsumer(kafka),
  carrier: createSandboxCarrier({ newId: randomId, clock: systemClock }),
  webhookSecret: config.SHOPMESH_SHIPPING_CARRIER_WEBHOOK_SECRET,
  clock: systemClock,
  logger,
  resolveIdentity: identity.resolveIdentity,
  policy: shippingPolicyOf(config),
  retention: retentionSettingsOf(config),
});
const running = await startProcess({
  modules: [
    platformModule(
      { service: "shipping", version: config.SHOPMESH_VERSION, runMode: "distributed", contexts: () => ["shipping"] },
      logger,
    ),
    kafkaModule(kafka, publisher),
    identity.module,
    shipping,
  ],
  logger,
  port: config.SHOPMESH_PORT,
  host: config.SHOPMESH_HOST,
  drainMs: config.SHOPMESH_DRAIN_MS,
});
stopOnSignals(running, logger);
logger.info({ url: running.server.url }, "shipping is serving");
