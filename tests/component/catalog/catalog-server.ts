import type { Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { Redis } from "ioredis";
import { systemClock } from "../../../core/kit/clock.ts";
import { randomId } from "../../../core/kit/ids.ts";
import { createKafka } from "../../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher } from "../../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../../adapters/kafka/kafka-topics.ts";
import { catalogIndexes, catalogOutboxCollections } from "../../../adapters/mongo/catalog/catalog-indexes.ts";
import { MongoCategoryRepository } from "../../../adapters/mongo/catalog/mongo-category-repository.ts";
import { MongoProductRepository } from "../../../adapters/mongo/catalog/mongo-product-repository.ts";
import { mongoHealthProbe } from "../../../adapters/mongo/mongo-health-probe.ts";
import { startMongoOutboxRelay } from "../../../adapters/mongo/mongo-outbox-relay.ts";
import { createMongoProcessedEvents } from "../../../adapters/mongo/mongo-processed-events.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import { createRedisProductCache } from "../../../adapters/redis/catalog-product-cache.ts";
import { createRedisClient, whenReady } from "../../../adapters/redis/redis-client.ts";
import { createGrpcTransport, type GrpcTransport } from "../../../adapters/rpc/grpc-transport.ts";
import { catalogModule } from "../../../services/catalog/catalog-module.ts";
import { REVIEW_EVENTS_TOPIC } from "../../../services/catalog/catalog-subscriptions.ts";
import { PRODUCT_EVENTS_TOPIC, productEventMapper } from "../../../services/catalog/product-event-mapper.ts";
import { startProcess } from "../../../services/runtime/run-process.ts";
import { type MongoTestDatabase, openMongoTestDatabase } from "../../contract/mongo/support/mongo-test-database.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { type TestIdentity, testIdentity } from "../users/support/identity.ts";

export interface CatalogServer {
  readonly db: MongoTestDatabase;
  readonly redis: Redis;
  readonly identity: TestIdentity;
  readonly publishReviewEvent: ReturnType<typeof createKafkaEventPublisher>;
  transport(kind: "grpc" | "connect"): Transport;
  stop(): Promise<void>;
}

/** CatalogService on port 0: FerretDB database of its own, the local Redis and Kafka, real JWTs (acme, globex). */
export async function startCatalogServer(): Promise<CatalogServer> {
  const logger = createLogger("catalog-test", "silent");
  const db = await openMongoTestDatabase("catalog_component", catalogIndexes);
  const redis = createRedisClient(requiredEnv("SHOPMESH_REDIS_URL"));
  if (!(await whenReady(redis, 5_000))) throw new Error("Redis did not answer within 5 s");
  const kafka = createKafka({ brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","), clientId: uniqueName("catalog-test") });
  await ensureTopics(kafka, [PRODUCT_EVENTS_TOPIC, REVIEW_EVENTS_TOPIC]);
  const publisher = createKafkaEventPublisher(kafka);
  const identity = await testIdentity();
  const module = catalogModule({
    deps: {
      products: new MongoProductRepository(db.db, productEventMapper),
      categories: new MongoCategoryRepository(db.db),
      cache: createRedisProductCache(redis, { ttlSeconds: 60 }),
      clock: systemClock,
      newId: randomId,
      currencyOf: () => "EUR",
    },
    startRelay: () => startMongoOutboxRelay({ db: db.db, collections: catalogOutboxCollections, publisher, pollIntervalMs: 20 }),
    consumer: createKafkaEventConsumer(kafka),
    processedEvents: createMongoProcessedEvents(db.db),
    probes: [mongoHealthProbe("catalog-database", db.db)],
    logger,
    resolveIdentity: identity.resolveIdentity,
    cacheGroup: uniqueName("catalog-cache"),
  });
  const running = await startProcess({ modules: [module], logger, port: 0, host: "127.0.0.1", drainMs: 1_000 });
  const grpc: GrpcTransport[] = [];
  return {
    db,
    redis,
    identity,
    publishReviewEvent: publisher,
    transport(kind) {
      if (kind === "connect") return createConnectTransport({ baseUrl: running.server.url, httpVersion: "1.1" });
      const transport = createGrpcTransport(`127.0.0.1:${running.server.port}`);
      grpc.push(transport);
      return transport;
    },
    async stop() {
      for (const transport of grpc) transport.close();
      await running.stop();
      await publisher.disconnect();
      redis.disconnect();
      await db.dispose();
    },
  };
}
