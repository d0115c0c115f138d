import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSubscription } from "../../../core/kit/event-consumer.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { parseTenantId, type TenantId } from "../../../core/kit/request-context.ts";
import { createKafka } from "../../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher, type KafkaEventPublisher } from "../../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../../adapters/kafka/kafka-topics.ts";
import { createMemoryProcessedEvents } from "../../../adapters/memory/memory-processed-events.ts";
import { MemoryCheckoutSnapshots } from "../../../adapters/memory/orders/memory-checkout-snapshots.ts";
import { MemoryPaymentGateway } from "../../../adapters/memory/orders/memory-payment-gateway.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import { encodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import { createGrpcTransport, type GrpcTransport } from "../../../adapters/rpc/grpc-transport.ts";
import { InventoryRejectedSchema, InventoryReservedSchema } from "../../../gen/shop/events/v1/inventory_events_pb.ts";
import { OrderService, OrderStatus, TimelineStep } from "../../../gen/shop/orders/v1/orders_pb.ts";
import { orderEntities, ordersModule } from "../../../services/orders/orders-module.ts";
import { type RunningProcess, startProcess } from "../../../services/runtime/run-process.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { openSqlTestDatabase, type SqlTestDatabase } from "../../support/sql-test-database.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { snapshotOf } from "../../unit/orders/support/order-builders.ts";
import { type TestIdentity, testIdentity } from "../users/support/identity.ts";

const fast = { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxWaitTimeMs: 100 };
const kafka = createKafka({ brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","), clientId: uniqueName("orders-test") });
const orderEventsTopic = uniqueName("order-events-orders").replaceAll("_", "-");
const inventoryEventsTopic = uniqueName("inventory-events-orders").replaceAll("_", "-");
const acme = { tenantId: parseTenantId("acme"), correlationId: "orders-kafka-test" };

let db: SqlTestDatabase;
let identity: TestIdentity;
let publisher: KafkaEventPublisher;
let running: RunningProcess;
let reader: RunningSubscription;
let grpc: GrpcTransport;
let alice: { authorization: string };
const snapshots = new MemoryCheckoutSnapshots();
const published: IntegrationEvent[] = [];

beforeAll(async () => {
  await ensureTopics(kafka, [orderEventsTopic, inventoryEventsTopic]);
  publisher = createKafkaEventPublisher(kafka);
  db = await openSqlTestDatabase("mariadb", "orders_kafka", orderEntities);
  identity = await testIdentity();
  const logger = createLogger("orders-kafka-test", "silent");
  const orders = ordersModule({
    db: { ...db, close: async () => {} },
    publisher,
    consumer: createKafkaEventConsumer(kafka, fast),
    snapshots,
    payments: new MemoryPaymentGateway(),
    clock: { now: () => new Date() },
    logger,
    resolveIdentity: identity.resolveIdentity,
    workIntervalMs: 50,
    topics: { orderEvents: orderEventsTopic, consumed: [inventoryEventsTopic], group: uniqueName("orders") },
  });
  reader = await createKafkaEventConsumer(kafka, fast).subscribe({
    group: uniqueName("order-events-reader"),
    topics: [orderEventsTopic],
    processedEvents: createMemoryProcessedEvents(),
    handler: async (event) => void published.push(event),
  });
  running = await startProcess({ modules: [orders], logger, port: 0, host: "127.0.0.1", drainMs: 1_000 });
  grpc = createGrpcTransport(`127.0.0.1:${running.server.port}`);
  alice = { authorization: await identity.bearer("acme", "alice", ["customer"]) };
}, 60_000);

afterAll(async () => {
  grpc?.close();
  await reader?.stop();
  await running?.stop();
  await publisher?.disconnect();
  await db?.dispose();
  const admin = kafka.admin();
  await admin.connect();
  const topics = [orderEventsTopic, inventoryEventsTopic];
  await admin.deleteTopics({ topics: [...topics, ...topics.map((t) => `${t}.dlq`)] }).catch(() => undefined);
  await admin.disconnect();
});

const waitFor = async <T>(probe: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

async function place(): Promise<string> {
  const cartId = uniqueName("cart");
  snapshots.put("acme" as TenantId, { ...snapshotOf(cartId, "alice"), expiresAt: new Date(Date.now() + 600_000) });
  const { order } = await createClient(OrderService, grpc).placeOrder(
    { cartId, cartVersion: 3n, paymentMethodToken: "tok_visa", idempotencyKey: uniqueName("key") },
    { headers: alice },
  );
  return order?.orderId as string;
}

const onKafka = (type: string, orderId: string) => published.filter((e) => e.type === type && e.key === orderId);

describe("the orders saga over Kafka", () => {
  it("OrderCreated goes out through the outbox; InventoryReserved delivered twice confirms once", async () => {
    const orderId = await place();
    const created = await waitFor(() => onKafka("shop.events.v1.OrderCreated", orderId)[0]);
    expect(created).toMatchObject({ tenantId: "acme", topic: orderEventsTopic });
    const reserved = encodeEvent(
      InventoryReservedSchema,
      { orderId, reservationId: "r-1" },
      { topic: inventoryEventsTopic, key: orderId, occurredAt: new Date() },
      acme,
    );
    await publisher.publish([reserved]);
    await publisher.publish([reserved]); // the same event id again: skipped by the processed-events store
    await waitFor(() => onKafka("shop.events.v1.OrderConfirmed", orderId)[0]);
    const { order } = await createClient(OrderService, grpc).getOrder({ orderId }, { headers: alice });
    expect(order?.status).toBe(OrderStatus.CONFIRMED);
    expect(order?.timeline.filter((e) => e.step === TimelineStep.STOCK_RESERVED)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(onKafka("shop.events.v1.OrderConfirmed", orderId)).toHaveLength(1);
  });

  it("a poison event is dead-lettered and the next one still flows", async () => {
    const poisoned = await place();
    const next = await place();
    await publisher.publish([
      {
        ...encodeEvent(
          InventoryReservedSchema,
          { orderId: poisoned },
          { topic: inventoryEventsTopic, key: poisoned, occurredAt: new Date() },
          acme,
        ),
        payload: new Uint8Array([0xff, 0xff, 0xff]),
      },
      encodeEvent(
        InventoryRejectedSchema,
        { orderId: next, shortLines: [] },
        { topic: inventoryEventsTopic, key: next, occurredAt: new Date() },
        acme,
      ),
    ]);
    await waitFor(() => onKafka("shop.events.v1.OrderCancelled", next)[0]);
    const { order } = await createClient(OrderService, grpc).getOrder({ orderId: poisoned }, { headers: alice });
    expect(order?.status).toBe(OrderStatus.PENDING);
    // After its retries the poison lands on <topic>.dlq.
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(async () => {
        const offsets = await admin.fetchTopicOffsets(`${inventoryEventsTopic}.dlq`).catch(() => []);
        return offsets.some((o) => Number(o.high) > 0) ? true : undefined;
      });
    } finally {
      await admin.disconnect();
    }
  });
});
