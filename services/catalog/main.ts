// The catalog context in a process of its own, on FerretDB/MongoDB, Redis and Kafka.
import { hostname } from "node:os";
import { systemClock } from "../../core/kit/clock.ts";
import { randomId } from "../../core/kit/ids.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher } from "../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../adapters/kafka/kafka-topics.ts";
import { catalogIndexes, catalogRetiredIndexes, catalogOutboxCollections } from "../../adapters/mongo/catalog/catalog-indexes.ts";
import { MongoCategoryRepository } from "../../adapters/mongo/catalog/mongo-category-repository.ts";
import { MongoProductRepository } from "../../adapters/mongo/catalog/mongo-product-repository.ts";
import { MongoSearchIndex } from "../../adapters/mongo/catalog/mongo-search-index.ts";
import { openMongoDatabase } from "../../adapters/mongo/mongo-database.ts";
import { mongoHealthProbe } from "../../adapters/mongo/mongo-health-probe.ts";
import { startMongoOutboxRelay } from "../../adapters/mongo/mongo-outbox-relay.ts";
import { createMongoProcessedEvents } from "../../adapters/mongo/mongo-processed-events.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { createNearProductCache } from "../../adapters/memory/catalog/near-product-cache.ts";
import { createRedisProductCache } from "../../adapters/redis/catalog-product-cache.ts";
import { createRedisClient, whenReady } from "../../adapters/redis/redis-client.ts";
import { platformModule } from "../platform/platform-module.ts";
import { kafkaModule } from "../runtime/kafka-module.ts";
import { closingModule } from "../runtime/closing-module.ts";
import { startMeshIdentity } from "../runtime/mesh-identity.ts";
import { documentRetentionSettingsOf } from "../runtime/retention-config.ts";
import { startProcess, stopOnSignals } from "../runtime/run-process.ts";
import { catalogConfigSchema } from "./catalog-config.ts";
import { catalogModule } from "./catalog-module.ts";
import { catalogRetentionTargets } from "./catalog-retention.ts";
import { REVIEW_EVENTS_TOPIC } from "./catalog-subscriptions.ts";
import { PRODUCT_EVENTS_TOPIC, productEventMapper } from "./product-event-mapper.ts";
import { tenantCurrency } from "../runtime/tenant-currency.ts";

const config = readConfig(catalogConfigSchema);
const logger = createLogger("catalog", config.SHOPMESH_LOG_LEVEL);
const instance = `catalog-${hostname()}-${process.pid}`;

const kafka = createKafka({ brokers: config.SHOPMESH_KAFKA_BROKERS, clientId: "catalog" });
await ensureTopics(kafka, [PRODUCT_EVENTS_TOPIC, REVIEW_EVENTS_TOPIC]);
const publisher = createKafkaEventPublisher(kafka);
const identity = await startMeshIdentity("catalog", kafka, config, logger);

const redis = createRedisClient(config.SHOPMESH_REDIS_URL, { onError: (err) => logger.warn({ err }, "redis connection") });
if (!(await whenReady(redis, 2_000))) logger.warn("redis not ready: products are read from the database meanwhile");
const mongo = await openMongoDatabase({
  url: config.SHOPMESH_MONGO_URL,
  database: config.SHOPMESH_CATALOG_DATABASE,
  indexes: catalogIndexes,
  retiredIndexes: catalogRetiredIndexes,
});
const deps = {
  products: new MongoProductRepository(mongo.db, productEventMapper),
  categories: new MongoCategoryRepository(mongo.db),
  cache: createNearProductCache(
    createRedisProductCache(redis, {
      ttlSeconds: config.SHOPMESH_CATALOG_CACHE_TTL_SECONDS,
      onError: (err, operation) => logger.warn({ err, operation }, "catalog cache skipped"),
    }),
    { ttlMs: config.SHOPMESH_CATALOG_NEAR_CACHE_MS, maxEntries: config.SHOPMESH_CATALOG_NEAR_CACHE_ENTRIES, clock: systemClock },
  ),
  searchIndex: new MongoSearchIndex(mongo.db),
  clock: systemClock,
  newId: randomId,
  currencyOf: tenantCurrency(identity.tenants, config.SHOPMESH_CATALOG_CURRENCY),
};
const retention = documentRetentionSettingsOf(config);
const catalog = catalogModule({
  deps,
  startRelay: () =>
    startMongoOutboxRelay({
      db: mongo.db,
      collections: catalogOutboxCollections,
      publisher,
      onError: (err, retryInMs) => logger.warn({ err, retryInMs }, "outbox relay retrying"),
    }),
  consumer: createKafkaEventConsumer(kafka),
  processedEvents: createMongoProcessedEvents(mongo.db),
  probes: [mongoHealthProbe("catalog-database", mongo.db)],
  logger,
  resolveIdentity: identity.resolveIdentity,
  cacheGroup: `catalog-cache-${instance}`,
  close: () => mongo.close(),
  retention: { targets: catalogRetentionTargets(mongo.db, retention), settings: retention },
});
const running = await startProcess({
  modules: [
    platformModule(
      { service: "catalog", version: config.SHOPMESH_VERSION, runMode: "distributed", contexts: () => ["catalog"] },
      logger,
    ),
    kafkaModule(kafka, publisher),
    identity.module,
    closingModule("redis", () => redis.quit()),
    catalog,
  ],
  logger,
  port: config.SHOPMESH_PORT,
  host: config.SHOPMESH_HOST,
  drainMs: config.SHOPMESH_DRAIN_MS,
});
stopOnSignals(running, logger);
logger.info({ url: running.server.url }, "catalog is serving");
