import { systemClock } from "../../core/kit/clock.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher } from "../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../adapters/kafka/kafka-topics.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { createGrpcTransport } from "../../adapters/rpc/grpc-transport.ts";
import { createRpcCheckoutSnapshots } from "../../adapters/rpc/orders/rpc-checkout-snapshots.ts";
import { createRpcPaymentGateway } from "../../adapters/rpc/orders/rpc-payment-gateway.ts";
import { platformModule } from "../platform/platform-module.ts";
import { closingModule } from "../runtime/closing-module.ts";
import { kafkaModule } from "../runtime/kafka-module.ts";
import { startMeshIdentity } from "../runtime/mesh-identity.ts";
import { startProcess, stopOnSignals } from "../runtime/run-process.ts";
import { ORDER_EVENTS_TOPIC } from "./order-event-mapper.ts";
import { orderPolicyOf, ordersConfigSchema } from "./orders-config.ts";
import { orderEntities, ordersModule } from "./orders-module.ts";
import { INVENTORY_EVENTS_TOPIC, PAYMENT_EVENTS_TOPIC, SHIPPING_EVENTS_TOPIC } from "./saga-subscription.ts";
import { retentionSettingsOf } from "../runtime/retention-config.ts";

const config = readConfig(ordersConfigSchema);
const logger = createLogger("orders", config.SHOPMESH_LOG_LEVEL);

const kafka = createKafka({ brokers: config.SHOPMESH_KAFKA_BROKERS, clientId: "orders" });
await ensureTopics(kafka, [ORDER_EVENTS_TOPIC, INVENTORY_EVENTS_TOPIC, PAYMENT_EVENTS_TOPIC, SHIPPING_EVENTS_TOPIC]);
const publisher = createKafkaEventPublisher(kafka);
const identity = await startMeshIdentity("orders", kafka, config, logger);

const cart = createGrpcTransport(config.SHOPMESH_CART_GRPC_TARGET);
const payment = createGrpcTransport(config.SHOPMESH_PAYMENT_GRPC_TARGET);
const db = await openSqlDatabase(
  { kind: "mysql", url: config.SHOPMESH_MYSQL_URL, database: config.SHOPMESH_ORDERS_DATABASE },
  orderEntities,
);
const orders = ordersModule({
  retention: retentionSettingsOf(config),
  db,
  publisher,
  consumer: createKafkaEventConsumer(kafka),
  snapshots: createRpcCheckoutSnapshots(cart),
  payments: createRpcPaymentGateway(payment),
  clock: systemClock,
  logger,
  resolveIdentity: identity.resolveIdentity,
  policy: orderPolicyOf(config),
  workIntervalMs: config.SHOPMESH_ORDERS_WORK_INTERVAL_MS,
});
const running = await startProcess({
  modules: [
    platformModule(
      { service: "orders", version: config.SHOPMESH_VERSION, runMode: "distributed", contexts: () => ["orders"] },
      logger,
    ),
    kafkaModule(kafka, publisher),
    identity.module,
    closingModule("grpc-clients", async () => {
      cart.close();
      payment.close();
    }),
    orders,
  ],
  logger,
  port: config.SHOPMESH_PORT,
  host: config.SHOPMESH_HOST,
  drainMs: config.SHOPMESH_DRAIN_MS,
});
stopOnSignals(running, logger);
logger.info({ url: running.server.url }, "orders is serving");
