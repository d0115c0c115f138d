import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { Partitioners } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { toKafkaMessage } from "../../adapters/kafka/kafka-event-envelope.ts";
import { OrderCreatedSchema } from "../../gen/shop/events/v1/order_events_pb.ts";
import { CancellationReason, OrderStatus } from "../../gen/shop/orders/v1/orders_pb.ts";
import { describeViolations } from "../support/invariants/checkout-invariants.ts";
import { checkWhenSettled } from "../support/invariants/load-checkout-snapshot.ts";
import { requiredEnv } from "../support/required-env.ts";
import {
  adminSession,
  bearer,
  checkout,
  type MeshClients,
  meshClients,
  sandboxCharges,
  type StockedProduct,
  stockedProduct,
  verifiedShopper,
  waitForOrder,
} from "./support/checkout-actors.ts";
import { type CheckoutMesh, startCheckoutMesh } from "./support/checkout-mesh.ts";
import { deadLetteredBy } from "./support/dead-letters.ts";
import { EventTail } from "./support/event-tail.ts";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;

// The checkout saga's failure paths across the ten processes of the mesh, each bounded in time
// and ending with the invariant checker over orders, inventory and payment (every order of the
// run so far: final, stock and money agreeing).
describe("checkout failures across every context's process", () => {
  const kafka = createKafka({
    brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","),
    clientId: "e2e-checkout-failures",
    log: () => {},
  });
  const userEvents = new EventTail();
  let mesh: CheckoutMesh;
  let clients: MeshClients;
  let admin: string;

  beforeAll(async () => {
    mesh = await startCheckoutMesh({
      label: "cf",
      env: {
        // tok_success_after_timeout: the provider answers after 2.5 s, payment gives up after 1 s
        // and asks the provider again from 1 s on: the charge must still be made once.
        payment: {
          SHOPMESH_PAYMENT_PROVIDER_TIMEOUT_MS: "1000",
          SHOPMESH_PAYMENT_RESOLVE_AFTER_SECONDS: "1",
          SHOPMESH_PAYMENT_RESOLVE_INTERVAL_MS: "500",
        },
        "payment-sandbox": { SHOPMESH_PAYMENT_SANDBOX_LATE_MS: "2500" },
      },
    });
    clients = meshClients(mesh);
    await userEvents.start(kafka, "user-events");
    admin = await adminSession(mesh, clients, userEvents);
  }, 600_000);

  afterAll(async () => {
    await userEvents.stop();
    await mesh?.stop();
  }, 120_000);

  const product = (onHand: number, priceMinor = 1_990n) =>
    stockedProduct(clients, admin, { name: `Mug ${randomUUID().slice(0, 6)}`, priceMinor, onHand });
  const stockOf = async (p: StockedProduct) =>
    (await clients.inventory.getStock({ sku: p.sku }, bearer(admin))).levels.map((l) => [l.onHandQuantity, l.reservedQuantity]);
  const expectStock = (p: StockedProduct, expected: number[][], timeout = 20_000) =>
    expect.poll(() => stockOf(p), { timeout, interval: 200 }).toEqual(expected);

  /** The invariant checker over every order of the run so far. */
  async function expectBooksBalance(settleWithinMs = 60_000): Promise<void> {
    const databases = await mesh.checkerDatabases();
    try {
      const { violations } = await checkWhenSettled(databases, new Date(Date.now() + settleWithinMs));
      expect(violations, describeViolations(violations)).toEqual([]);
    } finally {
      await databases.end();
    }
  }

  it("when the card is declined, then the order is CANCELLED, nothing is charged and the stock is back", async () => {
    const mug = await product(5);
    const shopper = await verifiedShopper(mesh, clients, userEvents);
    const { order } = await checkout(clients, shopper.token, [{ sku: mug.sku, quantity: 2 }], "tok_decline");
    const final = await waitForOrder(clients, shopper.token, order.orderId);
    expect(final.status, mesh.logs()).toBe(OrderStatus.CANCELLED);
    expect(final.cancellationReason).toBe(CancellationReason.PAYMENT_DECLINED);
    expect(await sandboxCharges(mesh, order.orderId)).toBe(0);
    await expectStock(mug, [[5, 0]]);
    await expectBooksBalance();
  }, 180_000);

  it("when two shoppers race for the last unit, then one order is CONFIRMED and the other CANCELLED out of stock without a charge", async () => {
    const mug = await product(1);
    // One after the other: concurrent Register calls of one tenant can deadlock in users
    // (INTERNAL; found here, reported) and registration is not what this case is about.
    const a = await verifiedShopper(mesh, clients, userEvents);
    const b = await verifiedShopper(mesh, clients, userEvents);
    // Both carts validate while the unit is there; both orders are placed.
    const [first, second] = await Promise.all([
      checkout(clients, a.token, [{ sku: mug.sku, quantity: 1 }], "tok_success"),
      checkout(clients, b.token, [{ sku: mug.sku, quantity: 1 }], "tok_success"),
    ]);
    const finals = await Promise.all([
      waitForOrder(clients, a.token, first.order.orderId),
      waitForOrder(clients, b.token, second.order.orderId),
    ]);
    expect(finals.map((o) => o.status).sort(), mesh.logs()).toEqual([OrderStatus.CONFIRMED, OrderStatus.CANCELLED].sort());
    const lost = finals.find((o) => o.status === OrderStatus.CANCELLED)!;
    const won = finals.find((o) => o.status === OrderStatus.CONFIRMED)!;
    expect(lost.cancellationReason).toBe(CancellationReason.OUT_OF_STOCK);
    expect(lost.paymentId).toBe("");
    expect(await sandboxCharges(mesh, lost.orderId)).toBe(0);
    expect(await sandboxCharges(mesh, won.orderId)).toBe(1);
    await expectStock(mug, [[0, 0]]);
    await expectBooksBalance();
  }, 180_000);

  it("when the provider answers only after payment's timeout (tok_success_after_timeout), then the order is CONFIRMED with exactly one charge", async () => {
    const mug = await product(3);
    const shopper = await verifiedShopper(mesh, clients, userEvents);
    const { order } = await checkout(clients, shopper.token, [{ sku: mug.sku, quantity: 1 }], "tok_success_after_timeout");
    const final = await waitForOrder(clients, shopper.token, order.orderId, undefined, 90_000);
    expect(final.status, mesh.logs()).toBe(OrderStatus.CONFIRMED);
    // Let any late retry land before counting.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await sandboxCharges(mesh, order.orderId)).toBe(1);
    await expectStock(mug, [[2, 0]]);
    await expectBooksBalance();
  }, 180_000);

  it("when PlaceOrder is sent three times at once with one idempotency key, then there is one order and one charge", async () => {
    const mug = await product(4);
    const shopper = await verifiedShopper(mesh, clients, userEvents);
    const key = randomUUID();
    const { order, placeOrder } = await checkout(clients, shopper.token, [{ sku: mug.sku, quantity: 1 }], "tok_success", key);
    const replays = await Promise.all([placeOrder(), placeOrder(), placeOrder()]);
    expect(new Set(replays.map((o) => o.orderId))).toEqual(new Set([order.orderId]));
    const final = await waitForOrder(clients, shopper.token, order.orderId);
    expect(final.status, mesh.logs()).toBe(OrderStatus.CONFIRMED);
    const listed = await clients.orders.listOrders({}, bearer(shopper.token));
    expect(listed.orders.map((o) => o.orderId)).toEqual([order.orderId]);
    expect(await sandboxCharges(mesh, order.orderId)).toBe(1);
    await expectStock(mug, [[3, 0]]);
    await expectBooksBalance();
  }, 180_000);

  it("when inventory dies (SIGKILL) after reserving for OrderCreated and before the offset commit, then after a restart the saga completes and no stock is lost or held twice", async () => {
    const mug = await product(6);
    const shopper = await verifiedShopper(mesh, clients, userEvents);
    // Inventory again, this time with the test-only crash point armed.
    const armed = await mesh.restart("inventory", { SHOPMESH_TEST_CRASH_AFTER_RESERVE: "1" });
    const { order } = await checkout(clients, shopper.token, [{ sku: mug.sku, quantity: 2 }], "tok_success");
    await Promise.race([
      armed.exited(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`inventory did not crash\n${mesh.logs()}`)), 60_000)),
    ]);
    expect(armed.exitCode(), "killed by a signal (the crash point), not an exit").toBe(-1);
    // Redelivered after the restart (the offset was not committed): a replay, not a second reservation.
    await mesh.restart("inventory");
    const final = await waitForOrder(clients, shopper.token, order.orderId, undefined, 120_000);
    expect(final.status, mesh.logs()).toBe(OrderStatus.CONFIRMED);
    await expectStock(mug, [[4, 0]], 30_000);
    await expectBooksBalance();
  }, 300_000);

  it("when inventory dies (SIGKILL) inside the reservation's transaction before its COMMIT, then nothing of it stays, and after a restart the saga completes with the stock reserved once", async () => {
    const mug = await product(6);
    const shopper = await verifiedShopper(mesh, clients, userEvents);
    // Armed: the guessed reservation writes its rows (reservation, stock, ledger, outbox) and dies before COMMIT.
    const armed = await mesh.restart("inventory", { SHOPMESH_TEST_CRASH_BEFORE_RESERVE_COMMIT: "1" });
    const { order } = await checkout(clients, shopper.token, [{ sku: mug.sku, quantity: 2 }], "tok_success");
    await Promise.race([
      armed.exited(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`inventory did not crash\n${mesh.logs()}`)), 60_000)),
    ]);
    expect(armed.exitCode(), "killed by a signal (the crash point), not an exit").toBe(-1);
    // While inventory is down: MariaDB rolled the open transaction back with its connection.
    const databases = await mesh.checkerDatabases();
    try {
      const [reservations, stock, ledger, outbox] = await Promise.all([
        databases.inventory(`select count(*) as n from inventory_reservations where order_id = '${order.orderId}'`),
        databases.inventory(`select on_hand, reserved from inventory_stock where sku = '${mug.sku}'`),
        databases.inventory(`select count(*) as n from inventory_movements where order_id = '${order.orderId}'`),
        databases.inventory(`select count(*) as n from outbox_events where event_key = '${order.orderId}'`),
      ]);
      expect([reservations, stock, ledger, outbox].map((rows) => rows.map((r) => Object.values(r).map(Number)))).toEqual([
        [[0]],
        [[6, 0]],
        [[0]],
        [[0]],
      ]);
    } finally {
      await databases.end();
    }
    // Redelivered after the restart (no offset, no processed-event mark): reserved now, once.
    await mesh.restart("inventory");
    const final = await waitForOrder(clients, shopper.token, order.orderId, undefined, 120_000);
    expect(final.status, mesh.logs()).toBe(OrderStatus.CONFIRMED);
    await expectStock(mug, [[4, 0]], 30_000);
    await expectBooksBalance();
  }, 300_000);

  it("when an undecodable OrderCreated lands on order-events, then inventory parks it on the dead-letter topic and the next order flows", async () => {
    const poisonId = randomUUID();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({
        topic: "order-events",
        messages: [
          toKafkaMessage({
            id: poisonId,
            type: OrderCreatedSchema.typeName,
            schemaVersion: 1,
            topic: "order-events",
            key: `poison-${poisonId}`,
            tenantId: mesh.tenant,
            correlationId: `e2e-poison-${poisonId}`,
            occurredAt: new Date(),
            payload: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]),
          }),
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const mug = await product(2);
    const shopper = await verifiedShopper(mesh, clients, userEvents);
    const { order } = await checkout(clients, shopper.token, [{ sku: mug.sku, quantity: 1 }], "tok_success");
    const final = await waitForOrder(clients, shopper.token, order.orderId, undefined, 90_000);
    expect(final.status, mesh.logs()).toBe(OrderStatus.CONFIRMED);
    expect(await deadLetteredBy(kafka, "order-events.dlq", poisonId, ["inventory"])).toContain("inventory");
    await expectStock(mug, [[1, 0]]);
    await expectBooksBalance();
  }, 180_000);

  // Restarting the shared broker takes it away from everyone else on the machine: opt in with
  // SHOPMESH_E2E_RESTART_KAFKA=1 (CI on a machine of its own).
  it.skipIf(process.env.SHOPMESH_E2E_RESTART_KAFKA !== "1")(
    "when Kafka is restarted in the middle of sagas, then every saga still finishes and the books balance",
    async () => {
      const mug = await product(20);
      const shoppers: Awaited<ReturnType<typeof verifiedShopper>>[] = [];
      for (let i = 0; i < 3; i++) shoppers.push(await verifiedShopper(mesh, clients, userEvents));
      const placed = await Promise.all(
        shoppers.map((s) => checkout(clients, s.token, [{ sku: mug.sku, quantity: 1 }], "tok_success")),
      );
      await run(`${root}tests/e2e/support/restart-kafka.sh`, [], { cwd: root, timeout: 180_000 });
      const finals = await Promise.all(
        placed.map((p, i) => waitForOrder(clients, shoppers[i]!.token, p.order.orderId, undefined, 180_000)),
      );
      expect(
        finals.map((o) => o.status),
        mesh.logs(),
      ).toEqual([OrderStatus.CONFIRMED, OrderStatus.CONFIRMED, OrderStatus.CONFIRMED]);
      await expectStock(mug, [[17, 0]], 60_000);
      await expectBooksBalance(120_000);
    },
    420_000,
  );
});
