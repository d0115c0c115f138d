import { systemClock } from "../../core/kit/clock.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../adapters/kafka/kafka-event-consumer.ts";
import { ensureTopics } from "../../adapters/kafka/kafka-topics.ts";
import { createMikroOrmProcessedEvents } from "../../adapters/mikro-orm/mikro-orm-processed-events.ts";
import { mikroOrmHealthProbe } from "../../adapters/mikro-orm/mikro-orm-health-probe.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { createRedisClient, whenReady } from "../../adapters/redis/redis-client.ts";
import { RedisCartRepository } from "../../adapters/redis/redis-cart-repository.ts";
import { createRpcAvailabilitySource } from "../../adapters/rpc/cart/rpc-availability-source.ts";
import { createRpcPriceSource } from "../../adapters/rpc/cart/rpc-price-source.ts";
import { createGrpcTransport } from "../../adapters/rpc/grpc-transport.ts";
import { platformModule } from "../platform/platform-module.ts";
import { closingModule } from "../runtime/closing-module.ts";
import { startMeshIdentity } from "../runtime/mesh-identity.ts";
import { startProcess, stopOnSignals } from "../runtime/run-process.ts";
import { cartConfigSchema, cartPolicyOf } from "./cart-config.ts";
import { cartEntities, cartModule } from "./cart-module.ts";
import { cartSqlStores } from "./cart-sql-stores.ts";
import { ORDER_EVENTS_TOPIC } from "./order-events-subscription.ts";
import { retentionSettingsOf } from "../runtime/retention-config.ts";

const config = readConfig(cartConfigSchema);
const logger = createLogger("cart", config.SHOPMESH_LOG_LEVEL);

// Kafka: the tenant directory (a replica of `tenant-events`) and `order-events` (redemptions,
// clearing ordered carts). The cart publishes nothing.
const kafka = createKafka({ brokers: config.SHOPMESH_KAFKA_BROKERS, clientId: "cart" });
await ensureTopics(kafka, [ORDER_EVENTS_TOPIC]);
const identity = await startMeshIdentity("cart", kafka, config, logger);

// Redis may be down at start: carts are read from and written to the database meanwhile.
const redis = createRedisClient(config.SHOPMESH_REDIS_URL, { onError: (err) => logger.warn({ err }, "redis connection") });
if (!(await whenReady(redis, 2_000))) logger.warn("redis not ready: carts go to the database meanwhile");
const db = await openSqlDatabase(
  { kind: "mysql", url: config.SHOPMESH_MYSQL_URL, database: config.SHOPMESH_CART_DATABASE },
  cartEntities,
);
const stores = cartSqlStores(db.em);
const carts = new RedisCartRepository(redis, stores.carts, {
  clock: systemClock,
  onError: (err, operation) => logger.warn({ err, operation }, "cart cache skipped"),
});

const catalog = createGrpcTransport(config.SHOPMESH_CATALOG_GRPC_TARGET);
const inventory = createGrpcTransport(config.SHOPMESH_INVENTORY_GRPC_TARGET);
const timeoutMs = config.SHOPMESH_CART_DEPENDENCY_TIMEOUT_MS;
const cart = cartModule({
  retention: retentionSettingsOf(config),
  carts,
  promotions: stores.promotions,
  taxRates: stores.taxRates,
  snapshots: stores.snapshots,
  redemptions: stores.redemptions,
  retentionTargets: stores.retentionTargets,
  orderEvents: { consumer: createKafkaEventConsumer(kafka), processedEvents: createMikroOrmProcessedEvents(db.em) },
  prices: createRpcPriceSource(catalog, { timeoutMs }),
  availability: createRpcAvailabilitySource(inventory, { timeoutMs }),
  clock: systemClock,
  logger,
  resolveIdentity: identity.resolveIdentity,
  policy: cartPolicyOf(config),
  tenants: identity.tenants,
  currency: config.SHOPMESH_CART_CURRENCY,
  probes: [mikroOrmHealthProbe("cart-database", db.em)],
  close: () => db.close(),
});
const running = await startProcess({
  modules: [
    platformModule(
      { service: "cart", version: config.SHOPMESH_VERSION, runMode: "distributed", contexts: () => ["cart"] },
      logger,
    ),
    identity.module,
    closingModule("redis", () => redis.quit()),
    closingModule("catalog-client", () => catalog.close()),
    closingModule("inventory-client", () => inventory.close()),
    cart,
  ],
  logger,
  port: config.SHOPMESH_PORT,
  host: config.SHOPMESH_HOST,
  drainMs: config.SHOPMESH_DRAIN_MS,
});
stopOnSignals(running, logger);
logger.info({ url: running.server.url }, "cart is serving");
