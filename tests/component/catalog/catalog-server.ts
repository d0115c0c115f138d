import type { Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { Redis } from "ioredis";
import { Product } from "../../../core/catalog/product.ts";
import { systemClock } from "../../../core/kit/clock.ts";
import { randomId } from "../../../core/kit/ids.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import type { TenantDirectory } from "../../../core/kit/tenant-directory.ts";
import { createKafka } from "../../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher } from "../../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../../adapters/kafka/kafka-topics.ts";
import { catalogIndexes, catalogOutboxCollections } from "../../../adapters/mongo/catalog/catalog-indexes.ts";
import { MongoCategoryRepository } from "../../../adapters/mongo/catalog/mongo-category-repository.ts";
import { MongoProductRepository } from "../../../adapters/mongo/catalog/mongo-product-repository.ts";
import { MongoSearchIndex } from "../../../adapters/mongo/catalog/mongo-search-index.ts";
import { mongoHealthProbe } from "../../../adapters/mongo/mongo-health-probe.ts";
import { startMongoOutboxRelay } from "../../../adapters/mongo/mongo-outbox-relay.ts";
import { createMongoProcessedEvents } from "../../../adapters/mongo/mongo-processed-events.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import { createNearProductCache } from "../../../adapters/memory/catalog/near-product-cache.ts";
import { createRedisProductCache } from "../../../adapters/redis/catalog-product-cache.ts";
import { createRedisClient, whenReady } from "../../../adapters/redis/redis-client.ts";
import { createGrpcTransport, type GrpcTransport } from "../../../adapters/rpc/grpc-transport.ts";
import { catalogModule } from "../../../services/catalog/catalog-module.ts";
import { REVIEW_EVENTS_TOPIC } from "../../../services/catalog/catalog-subscriptions.ts";
import { PRODUCT_EVENTS_TOPIC, productEventMapper } from "../../../services/catalog/product-event-mapper.ts";
import { tenantCurrency } from "../../../services/runtime/tenant-currency.ts";
import { startProcess } from "../../../services/runtime/run-process.ts";
import { type MongoTestDatabase, openMongoTestDatabase } from "../../contract/mongo/support/mongo-test-database.ts";
import { startGroupsAtEnd } from "../../support/kafka-groups-at-end.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { aProduct } from "../../unit/catalog/catalog-builders.ts";
import { type TestIdentity, testIdentity } from "../users/support/identity.ts";

export interface CatalogServer {
  readonly db: MongoTestDatabase;
  readonly redis: Redis;
  readonly identity: TestIdentity;
  readonly publishReviewEvent: ReturnType<typeof createKafkaEventPublisher>;
  transport(kind: "grpc" | "connect"): Transport;
  /** Where it answers HTTP/1.1 (Connect, gRPC-Web), for tests that read raw responses. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * CatalogService on port 0: FerretDB database of its own, the local Redis and Kafka, real JWTs
 * (acme, globex). Prices are in EUR unless `tenants` knows the tenant's currency (as main.ts).
 */
export async function startCatalogServer(
  options: { tenants?: Pick<TenantDirectory, "currencyOf"> } = {},
): Promise<CatalogServer> {
  const logger = createLogger("catalog-test", "silent");
  const db = await openMongoTestDatabase("catalog_component", catalogIndexes);
  const redis = createRedisClient(requiredEnv("SHOPMESH_REDIS_URL"));
  if (!(await whenReady(redis, 5_000))) throw new Error("Redis did not answer within 5 s");
  const kafka = createKafka({ brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","), clientId: uniqueName("catalog-test") });
  await ensureTopics(kafka, [PRODUCT_EVENTS_TOPIC, REVIEW_EVENTS_TOPIC]);
  const publisher = createKafkaEventPublisher(kafka);
  const identity = await testIdentity();
  const products = new MongoProductRepository(db.db, productEventMapper);
  // Few tables, created up front: FerretDB creates a collection on first use, slowly.
  const searchIndex = new MongoSearchIndex(db.db, { tables: 4 });
  await searchIndex.createCollections(db.db);
  const cacheGroup = uniqueName("catalog-cache");
  const searchGroup = uniqueName("catalog-search");
  // Test files run in parallel on one broker: a shared "catalog" group would hand one file's
  // rating events to another file's server (whose database does not know the product).
  const ratingGroup = uniqueName("catalog-ratings");
  // Fresh groups would replay both topics from the beginning (every earlier run's events, each
  // through the dedupe store: ~1 event/s per partition on a loaded machine, minutes in all):
  // they start at the topics' current end instead.
  await startGroupsAtEnd(kafka, [
    { group: cacheGroup, topics: [PRODUCT_EVENTS_TOPIC] },
    { group: searchGroup, topics: [PRODUCT_EVENTS_TOPIC] },
    { group: ratingGroup, topics: [REVIEW_EVENTS_TOPIC] },
  ]);
  const module = catalogModule({
    deps: {
      products,
      categories: new MongoCategoryRepository(db.db),
      // As main.ts: the near cache (L1) in front of Redis, dropped by the same event delivery
      // (a long TTL here, so a test sees a change only through that delivery).
      cache: createNearProductCache(createRedisProductCache(redis, { ttlSeconds: 60 }), { ttlMs: 60_000, clock: systemClock }),
      searchIndex,
      clock: systemClock,
      newId: randomId,
      currencyOf: tenantCurrency(options.tenants, "EUR"),
    },
    startRelay: () => startMongoOutboxRelay({ db: db.db, collections: catalogOutboxCollections, publisher, pollIntervalMs: 20 }),
    consumer: createKafkaEventConsumer(kafka),
    processedEvents: createMongoProcessedEvents(db.db),
    probes: [mongoHealthProbe("catalog-database", db.db)],
    logger,
    resolveIdentity: identity.resolveIdentity,
    cacheGroup,
    searchGroup,
    // Other files' product events published meanwhile are not this database's products.
    searchSince: new Date(),
    ratingGroup,
  });
  const running = await startProcess({ modules: [module], logger, port: 0, host: "127.0.0.1", drainMs: 1_000 });
  await searchCaughtUp(products, searchIndex);
  const grpc: GrpcTransport[] = [];
  return {
    db,
    redis,
    identity,
    publishReviewEvent: publisher,
    url: running.server.url,
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

/**
 * Waits (at most 45 s) until the search projector has indexed a probe product of a tenant of
 * its own: its group joined and it projects, so tests measure their own writes' lag. The groups
 * start at the topic's end (no replay), so this takes a relay poll and one projection.
 */
async function searchCaughtUp(products: MongoProductRepository, index: MongoSearchIndex): Promise<void> {
  const tenantId = parseTenantId("search-warmup");
  const id = randomId();
  const word = `warmup${id.replace(/[^a-z0-9]/gi, "")}`.slice(0, 40);
  const ctx = { tenantId, caller: undefined, correlationId: "search-warmup", signal: new AbortController().signal };
  await products.add(
    Product.create({ tenantId, id, creationKey: id, content: aProduct({ name: word }), currency: "EUR" }, new Date()),
    ctx,
  );
  for (const until = Date.now() + 45_000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 200))) {
    const [entries] = await index.postings(tenantId, [word]);
    if (entries!.length > 0) return;
  }
  console.warn("catalog test server: the search projector did not catch up within 45 s; searches may lag");
}
