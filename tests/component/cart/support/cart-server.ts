import type { Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { Redis } from "ioredis";
import type { IntegrationEvent } from "../../../../core/kit/integration-event.ts";
import type { TenantDirectory } from "../../../../core/kit/tenant-directory.ts";
import { createKafka } from "../../../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher } from "../../../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../../../adapters/kafka/kafka-topics.ts";
import { createMikroOrmProcessedEvents } from "../../../../adapters/mikro-orm/mikro-orm-processed-events.ts";
import { type CartPolicy, DEFAULT_CART_POLICY } from "../../../../core/cart/cart-deps.ts";
import { createLogger } from "../../../../adapters/observability/logger.ts";
import { RedisCartRepository } from "../../../../adapters/redis/redis-cart-repository.ts";
import { createRedisClient, whenReady } from "../../../../adapters/redis/redis-client.ts";
import { createRpcAvailabilitySource } from "../../../../adapters/rpc/cart/rpc-availability-source.ts";
import { createRpcPriceSource } from "../../../../adapters/rpc/cart/rpc-price-source.ts";
import { createGrpcTransport, type GrpcTransport } from "../../../../adapters/rpc/grpc-transport.ts";
import { cartEntities, cartModule } from "../../../../services/cart/cart-module.ts";
import { cartSqlStores } from "../../../../services/cart/cart-sql-stores.ts";
import { type RunningProcess, startProcess } from "../../../../services/runtime/run-process.ts";
import { type CartNeighbours, startCartNeighbours } from "../../../contract/cart/support/cart-neighbours.ts";
import { requiredEnv } from "../../../support/required-env.ts";
import { uniqueName } from "../../../support/unique-name.ts";
import { openSqlTestDatabase, type SqlTestDatabase } from "../../../support/sql-test-database.ts";
import { testIdentity } from "../../users/support/identity.ts";

export interface CartServer {
  readonly db: SqlTestDatabase;
  readonly redis: Redis;
  /** Catalog and inventory (real handlers, inventory on MariaDB), reached through Connect clients. */
  readonly neighbours: CartNeighbours;
  transport(kind: "grpc" | "connect"): Transport;
  /** With `orderEvents`: the topic of its own the server consumes as `order-events`, and a way to publish there. */
  readonly orderEventsTopic: string;
  publishOrderEvents(events: readonly IntegrationEvent[]): Promise<void>;
  /** Whether the server's order-events consumer group has handled the event. */
  isProcessed(eventId: string): Promise<boolean>;
  stop(): Promise<void>;
}

export interface CartServerOptions {
  /** Consume order events from Kafka (a topic and group of this server's own). */
  readonly orderEvents?: boolean;
  /** Tenants' currencies for cart and its catalog; without one, every tenant is in EUR (the fallback). */
  readonly tenants?: Pick<TenantDirectory, "currencyOf">;
}

/**
 * CartService on port 0: carts in the local Redis in front of a MariaDB database of its own,
 * prices and availability from catalog and inventory through the service's Connect clients,
 * promotions and tax rates on the same MariaDB database, real JWTs (tenants acme and globex).
 */
export async function startCartServer(policy: Partial<CartPolicy> = {}, options: CartServerOptions = {}): Promise<CartServer> {
  const logger = createLogger("cart-test", "silent");
  const identity = await testIdentity();
  const neighbours = await startCartNeighbours("mariadb", identity, options.tenants);
  const db = await openSqlTestDatabase("mariadb", "cart_component", cartEntities);
  const redis = createRedisClient(requiredEnv("SHOPMESH_REDIS_URL"));
  if (!(await whenReady(redis, 5_000))) throw new Error("Redis did not answer within 5 s");
  const clock = { now: () => new Date() };
  const stores = cartSqlStores(db.em);
  const orderEventsTopic = uniqueName("order-events").replaceAll("_", "-");
  const kafka = options.orderEvents
    ? createKafka({ brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","), clientId: uniqueName("cart-test") })
    : undefined;
  if (kafka) await ensureTopics(kafka, [orderEventsTopic]);
  const publisher = kafka ? createKafkaEventPublisher(kafka) : undefined;
  const processedEvents = createMikroOrmProcessedEvents(db.em);
  const orderEventsGroup = uniqueName("cart-test");
  const module = cartModule({
    carts: new RedisCartRepository(redis, stores.carts, { clock }),
    promotions: stores.promotions,
    taxRates: stores.taxRates,
    snapshots: stores.snapshots,
    redemptions: stores.redemptions,
    orderEvents: kafka
      ? {
          consumer: createKafkaEventConsumer(kafka, { maxWaitTimeMs: 200 }),
          processedEvents,
          topic: orderEventsTopic,
          group: orderEventsGroup,
        }
      : undefined,
    prices: createRpcPriceSource(neighbours.transport, { timeoutMs: 1_000 }),
    availability: createRpcAvailabilitySource(neighbours.transport, { timeoutMs: 1_000 }),
    clock,
    logger,
    resolveIdentity: identity.resolveIdentity,
    policy: { ...DEFAULT_CART_POLICY, ...policy },
    tenants: options.tenants,
  });
  const running: RunningProcess = await startProcess({ modules: [module], logger, port: 0, host: "127.0.0.1", drainMs: 1_000 });
  const grpc: GrpcTransport[] = [];
  return {
    db,
    redis,
    neighbours,
    orderEventsTopic,
    async publishOrderEvents(events) {
      if (!publisher) throw new Error("started without orderEvents");
      await publisher.publish(events.map((e) => ({ ...e, topic: orderEventsTopic })));
    },
    isProcessed: (eventId) => processedEvents.isProcessed(orderEventsGroup, eventId),
    transport(kind) {
      if (kind === "connect") return createConnectTransport({ baseUrl: running.server.url, httpVersion: "1.1" });
      const transport = createGrpcTransport(`127.0.0.1:${running.server.port}`);
      grpc.push(transport);
      return transport;
    },
    async stop() {
      for (const transport of grpc) transport.close();
      await running.stop();
      await publisher?.disconnect();
      redis.disconnect();
      await neighbours.dispose();
      await db.dispose();
    },
  };
}
