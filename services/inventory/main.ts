import { systemClock } from "../../core/kit/clock.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher } from "../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../adapters/kafka/kafka-topics.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { createRedisClient, whenReady } from "../../adapters/redis/redis-client.ts";
import { createRedisAvailabilityCache } from "../../adapters/redis/redis-inventory-availability-cache.ts";
import { platformModule } from "../platform/platform-module.ts";
import { kafkaModule } from "../runtime/kafka-module.ts";
import { closingModule } from "../runtime/closing-module.ts";
import { startMeshIdentity } from "../runtime/mesh-identity.ts";
import { retentionSettingsOf } from "../runtime/retention-config.ts";
import { startProcess, stopOnSignals } from "../runtime/run-process.ts";
import { inventoryConfigSchema, inventoryPolicyOf } from "./inventory-config.ts";
import { INVENTORY_EVENTS_TOPIC } from "./inventory-event-mapper.ts";
import { inventoryEntities, inventoryModule } from "./inventory-module.ts";
import { ORDER_EVENTS_TOPIC } from "./order-events-subscription.ts";

const config = readConfig(inventoryConfigSchema);
const logger = createLogger("inventory", config.SHOPMESH_LOG_LEVEL);

const kafka = createKafka({ brokers: config.SHOPMESH_KAFKA_BROKERS, clientId: "inventory" });
await ensureTopics(kafka, [INVENTORY_EVENTS_TOPIC, ORDER_EVENTS_TOPIC]);
const publisher = createKafkaEventPublisher(kafka);
const identity = await startMeshIdentity("inventory", kafka, config, logger);

// The cache may be down at start: availability is read from the database until Redis answers.
const redis = createRedisClient(config.SHOPMESH_REDIS_URL, { onError: (err) => logger.warn({ err }, "redis connection") });
if (!(await whenReady(redis, 2_000))) logger.warn("redis not ready: availability is read from the database meanwhile");
const availabilityCache = createRedisAvailabilityCache(redis, {
  ttlSeconds: config.SHOPMESH_INVENTORY_AVAILABILITY_CACHE_TTL_SECONDS,
  onError: (err, operation) => logger.warn({ err, operation }, "availability cache skipped"),
});

const db = await openSqlDatabase(
  { kind: "mysql", url: config.SHOPMESH_MYSQL_URL, database: config.SHOPMESH_INVENTORY_DATABASE },
  inventoryEntities,
);
const inventory = inventoryModule({
  db,
  publisher,
  consumer: createKafkaEventConsumer(kafka),
  clock: systemClock,
  logger,
  resolveIdentity: identity.resolveIdentity,
  policy: inventoryPolicyOf(config),
  availabilityCache,
  sweepIntervalMs: config.SHOPMESH_INVENTORY_SWEEP_INTERVAL_MS,
  retention: retentionSettingsOf(config),
});
const running = await startProcess({
  modules: [
    platformModule(
      { service: "inventory", version: config.SHOPMESH_VERSION, runMode: "distributed", contexts: () => ["inventory"] },
      logger,
    ),
    kafkaModule(kafka, publisher),
    identity.module,
    closingModule("redis", () => redis.quit()),
    inventory,
  ],
  logger,
  port: config.SHOPMESH_PORT,
  host: config.SHOPMESH_HOST,
  drainMs: config.SHOPMESH_DRAIN_MS,
});
stopOnSignals(running, logger);
logger.info({ url: running.server.url }, "inventory is serving");
