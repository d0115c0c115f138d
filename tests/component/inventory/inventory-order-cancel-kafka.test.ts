import { fromBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { createKafka } from "../../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher, type KafkaEventPublisher } from "../../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../../adapters/kafka/kafka-topics.ts";
import { createMemoryAvailabilityCache } from "../../../adapters/memory/inventory/memory-availability-cache.ts";
import { createMemoryEventBus } from "../../../adapters/memory/memory-event-bus.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import { encodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import { createGrpcTransport, type GrpcTransport } from "../../../adapters/rpc/grpc-transport.ts";
import { InventoryReleaseReason, InventoryReleasedSchema } from "../../../gen/shop/events/v1/inventory_events_pb.ts";
import {
  OrderCancellationReason,
  OrderCancelledSchema,
  OrderConfirmedSchema,
  OrderCreatedSchema,
} from "../../../gen/shop/events/v1/order_events_pb.ts";
import { InventoryService, MovementKind, ReservationStatus } from "../../../gen/shop/inventory/v1/inventory_pb.ts";
import { inventoryEntities, inventoryModule } from "../../../services/inventory/inventory-module.ts";
import { type RunningProcess, startProcess } from "../../../services/runtime/run-process.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { openSqlTestDatabase, type SqlTestDatabase } from "../../support/sql-test-database.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { type TestIdentity, testIdentity } from "../users/support/identity.ts";

// Inventory consumes its own order-events topic on the real Kafka; its outbox relay publishes to an
// in-process bus (the test reads the outbox table), so nothing lands on the mesh's inventory-events.
const fast = { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxWaitTimeMs: 100 };
const kafka = createKafka({ brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","), clientId: uniqueName("inventory-test") });
const orderEventsTopic = uniqueName("order-events-inventory").replaceAll("_", "-");
const scope = { tenantId: parseTenantId("acme"), correlationId: "inventory-cancel-kafka" };

let db: SqlTestDatabase;
let identity: TestIdentity;
let publisher: KafkaEventPublisher;
let running: RunningProcess;
let grpc: GrpcTransport;
let admin: { authorization: string };
let customer: { authorization: string };

beforeAll(async () => {
  await ensureTopics(kafka, [orderEventsTopic]);
  publisher = createKafkaEventPublisher(kafka);
  db = await openSqlTestDatabase("mariadb", "inventory_cancel_kafka", inventoryEntities);
  identity = await testIdentity();
  const logger = createLogger("inventory-cancel-kafka-test", "silent");
  const clock = { now: () => new Date() };
  const module = inventoryModule({
    db: { ...db, close: async () => {} },
    publisher: createMemoryEventBus().publisher,
    consumer: createKafkaEventConsumer(kafka, fast),
    clock,
    logger,
    resolveIdentity: identity.resolveIdentity,
    availabilityCache: createMemoryAvailabilityCache({ ttlMs: 600_000, clock }),
    sweepIntervalMs: 60_000,
    orderEvents: { topic: orderEventsTopic, group: uniqueName("inventory") },
  });
  running = await startProcess({ modules: [module], logger, port: 0, host: "127.0.0.1", drainMs: 1_000 });
  grpc = createGrpcTransport(`127.0.0.1:${running.server.port}`);
  admin = { authorization: await identity.bearer("acme", "admin-1", ["tenant_admin"]) };
  customer = { authorization: await identity.bearer("acme", "user-1", ["customer"]) };
}, 60_000);

afterAll(async () => {
  grpc?.close();
  await running?.stop();
  await publisher?.disconnect();
  await db?.dispose();
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.deleteTopics({ topics: [orderEventsTopic, `${orderEventsTopic}.dlq`] }).catch(() => undefined);
  await kafkaAdmin.disconnect();
});

const waitFor = async (check: () => Promise<boolean>, ms = 20_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

async function deadLettered(): Promise<number> {
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  try {
    const offsets = await kafkaAdmin.fetchTopicOffsets(`${orderEventsTopic}.dlq`).catch(() => []);
    return offsets.reduce((sum, o) => sum + Number(o.high), 0);
  } finally {
    await kafkaAdmin.disconnect();
  }
}

describe("OrderCancelled after OrderConfirmed, over Kafka", () => {
  it("when a confirmed order is cancelled, then its stock goes back on hand per location, once, replays included", async () => {
    const inventory = createClient(InventoryService, grpc);
    const sku = uniqueName("KAFKA").replaceAll("_", "-");
    await inventory.setStock({ sku, locationId: "east", onHandQuantity: 2, reason: 1 }, { headers: admin });
    await inventory.setStock({ sku, locationId: "west", onHandQuantity: 4, reason: 1 }, { headers: admin });
    const orderId = uniqueName("order");
    const address = { topic: orderEventsTopic, key: orderId, occurredAt: new Date() };
    const status = async (id: string) =>
      (await inventory.getReservation({ orderId: id }, { headers: admin }).catch(() => undefined))?.reservation?.status;

    await publisher.publish([
      encodeEvent(OrderCreatedSchema, { orderId, userId: "user-1", lines: [{ sku, quantity: 5 }] }, address, scope),
    ]);
    await waitFor(async () => (await status(orderId)) === ReservationStatus.RESERVED);
    await publisher.publish([encodeEvent(OrderConfirmedSchema, { orderId, userId: "user-1" }, address, scope)]);
    await waitFor(async () => (await status(orderId)) === ReservationStatus.COMMITTED);
    const sold = await inventory.getStock({ sku }, { headers: admin });
    expect(sold.summary).toMatchObject({ onHandQuantity: 1, reservedQuantity: 0 });
    // Warm the availability cache on the sold state: the restock must refresh it.
    const warm = await inventory.batchGetAvailability({ skus: [sku] }, { headers: customer });
    expect(warm.availabilities[0]?.availableQuantity).toBe(1);

    const cancelled = encodeEvent(
      OrderCancelledSchema,
      { orderId, reason: OrderCancellationReason.CUSTOMER_REQUESTED, refundDue: true },
      address,
      scope,
    );
    // The same event twice (deduplicated by id), another delivery of the same cancellation (a
    // different id: the reservation's state stops it), and a cancellation of an order inventory
    // never saw; then a sentinel on the same key: once it is reserved, all of them were handled.
    const sentinel = uniqueName("sentinel");
    await publisher.publish([cancelled]);
    await publisher.publish([cancelled, { ...cancelled, id: uniqueName("redelivery") }]);
    await publisher.publish([
      encodeEvent(OrderCancelledSchema, { orderId: uniqueName("never-reserved") }, address, scope),
      encodeEvent(OrderCreatedSchema, { orderId: sentinel, userId: "user-1", lines: [{ sku, quantity: 1 }] }, address, scope),
    ]);
    await waitFor(async () => (await status(sentinel)) === ReservationStatus.RESERVED);

    expect(await status(orderId)).toBe(ReservationStatus.RESTOCKED);
    const stock = await inventory.getStock({ sku }, { headers: admin });
    expect(stock.levels.map((l) => [l.locationId, l.onHandQuantity, l.reservedQuantity])).toEqual([
      ["east", 2, 1],
      ["west", 4, 0],
    ]);
    expect(stock.summary).toMatchObject({ onHandQuantity: 6, reservedQuantity: 1, availableQuantity: 5 });
    const fresh = await inventory.batchGetAvailability({ skus: [sku] }, { headers: customer });
    expect(fresh.availabilities[0]?.availableQuantity).toBe(5);

    const { movements } = await inventory.listStockMovements({ sku, page: { pageSize: 100 } }, { headers: admin });
    const restocks = movements.filter((m) => m.kind === MovementKind.RESTOCKED);
    expect(restocks.map((m) => [m.locationId, m.onHandDelta, m.reservedDelta, m.orderId, m.note]).sort()).toEqual([
      ["east", 2, 0, orderId, "order cancelled after commit"],
      ["west", 3, 0, orderId, "order cancelled after commit"],
    ]);
    for (const level of stock.levels) {
      const rows = movements.filter((m) => m.locationId === level.locationId);
      expect(rows.reduce((sum, m) => sum + m.onHandDelta, 0)).toBe(level.onHandQuantity);
      expect(rows.reduce((sum, m) => sum + m.reservedDelta, 0)).toBe(level.reservedQuantity);
    }

    const released = (await db.outbox()).filter((e) => e.type === InventoryReleasedSchema.typeName && e.key === orderId);
    expect(released).toHaveLength(1);
    const payload = fromBinary(InventoryReleasedSchema, released[0]!.payload);
    expect(payload.reason).toBe(InventoryReleaseReason.ORDER_CANCELLED);
    expect(payload.lines.map((l) => [l.locationId, l.quantity])).toEqual([
      ["east", 2],
      ["west", 3],
    ]);
    expect(await deadLettered()).toBe(0);
  });
});
