import { fromBinary } from "@bufbuild/protobuf";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import { randomId } from "../../../core/kit/ids.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { DEFAULT_ORDER_POLICY, type OrderDeps } from "../../../core/orders/order-deps.ts";
import { applySagaEvent, expireOverdueSagas, runPaymentWork } from "../../../core/orders/order-saga-steps.ts";
import type { OrderStore } from "../../../core/orders/order-store.ts";
import { cancelOrder, getOrder, listOrders, placeOrder } from "../../../core/orders/orders.ts";
import { MemoryCheckoutSnapshots } from "../../../adapters/memory/orders/memory-checkout-snapshots.ts";
import { MemoryPaymentGateway } from "../../../adapters/memory/orders/memory-payment-gateway.ts";
import { OrderCreatedSchema } from "../../../gen/shop/events/v1/order_events_pb.ts";
import { domainFailure } from "../../support/domain-failure.ts";
import { ctxOf, snapshotOf, T0 } from "../../unit/orders/support/order-builders.ts";

export interface OrderStoreHarness {
  readonly store: OrderStore;
  /** The integration events stored with the changes, oldest first. */
  recordedEvents(): Promise<IntegrationEvent[]>;
  dispose(): Promise<void>;
}

const alice = ctxOf("acme", "alice");
const admin = ctxOf("acme", "boss", ["tenant_admin"]);
const globexAlice = ctxOf("globex", "alice");
const service = ctxOf("acme", undefined);

/** The behaviour every OrderStore adapter must show, exercised through the use cases. */
export function orderStoreContract(name: string, open: () => Promise<OrderStoreHarness>): void {
  describe(`OrderStore contract: ${name}`, () => {
    let harness: OrderStoreHarness;
    let deps: OrderDeps;
    let clock: ReturnType<typeof fixedClock>;
    let snapshots: MemoryCheckoutSnapshots;
    const place = (ctx = alice, key = "key-0000001", cartId = "cart-a") =>
      placeOrder(deps, ctx, { cartId, cartVersion: 3, paymentMethodToken: "tok_visa", idempotencyKey: key });

    beforeEach(async () => {
      harness = await open();
      clock = fixedClock(T0);
      snapshots = new MemoryCheckoutSnapshots();
      snapshots.put("acme" as TenantId, snapshotOf("cart-a", "alice"));
      snapshots.put("globex" as TenantId, snapshotOf("cart-a", "alice"));
      deps = {
        store: harness.store,
        snapshots,
        payments: new MemoryPaymentGateway(),
        clock,
        newId: randomId,
        policy: DEFAULT_ORDER_POLICY,
      };
    });
    afterEach(async () => harness.dispose());

    it("stores the order as placed (round trip) with OrderCreated in the same transaction", async () => {
      const order = await place();
      expect(await harness.store.find(alice.tenantId, order.id)).toEqual(order);
      const events = await harness.recordedEvents();
      expect(events).toHaveLength(1);
      const created = fromBinary(OrderCreatedSchema, (events[0] as IntegrationEvent).payload);
      expect(created).toMatchObject({ orderId: order.id, userId: "alice", cartId: "cart-a", cartVersion: 3n });
      expect(created.lines[0]).toMatchObject({ sku: "SKU-1", quantity: 2 });
      expect(created.total).toMatchObject({ amountMinor: 2400n, currencyCode: "EUR" });
      expect(events[0]).toMatchObject({ key: order.id, tenantId: "acme", topic: "order-events" });
    });

    it("one order per (tenant, user, idempotency key), also under concurrent first attempts", async () => {
      const results = await Promise.all([place(), place(), place()]);
      expect(new Set(results.map((o) => o.id)).size).toBe(1);
      expect(await harness.recordedEvents()).toHaveLength(1);
      const other = await place(globexAlice);
      expect(other.id).not.toBe(results[0]?.id);
    });

    it("persists saga transitions, timeline (oldest first) and events; duplicates change nothing", async () => {
      const order = await place();
      clock.advance(1_000);
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      clock.advance(1_000);
      expect(await runPaymentWork(deps, { limit: 10, correlationId: "w" })).toBe(1);
      const { order: done, timeline } = await getOrder(deps, alice, order.id);
      expect(done).toMatchObject({ state: "confirmed", payment: "succeeded", stockHeld: true, deadlineAt: undefined });
      expect(timeline.map((e) => [e.step, e.at.getTime() - T0.getTime()])).toEqual([
        ["placed", 0],
        ["stock_reserved", 1_000],
        ["payment_requested", 1_000],
        ["payment_succeeded", 2_000],
        ["confirmed", 2_000],
      ]);
      expect((await harness.recordedEvents()).map((e) => e.type)).toEqual([
        "shop.events.v1.OrderCreated",
        "shop.events.v1.OrderConfirmed",
      ]);
    });

    it("payment work: due once needed, not while leased, again after the lease", async () => {
      const order = await place();
      expect(await harness.store.dueForPaymentWork(clock.now(), 10)).toEqual([]);
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      expect(await harness.store.dueForPaymentWork(clock.now(), 10)).toEqual([{ tenantId: "acme", orderId: order.id }]);
      await harness.store.transaction(service, async (tx) => {
        const current = await tx.lock(order.id);
        if (!current) throw new Error("gone");
        await tx.update({ ...current, leaseUntil: new Date(clock.now().getTime() + 5_000), version: current.version + 1 });
      });
      expect(await harness.store.dueForPaymentWork(clock.now(), 10)).toEqual([]);
      clock.advance(5_000);
      expect(await harness.store.dueForPaymentWork(clock.now(), 10)).toHaveLength(1);
    });

    it("a save with a stale version is ABORTED and changes nothing", async () => {
      const order = await place();
      const failure = await domainFailure(
        harness.store.transaction(service, async (tx) => tx.update({ ...order, state: "confirmed", version: order.version + 5 })),
      );
      expect(failure.kind).toBe("conflict");
      expect((await harness.store.find(alice.tenantId, order.id))?.state).toBe("awaiting_stock");
    });

    it("deadlines: due when passed, gone once final; the sweeper compensates", async () => {
      const order = await place();
      expect(await harness.store.dueForDeadline(clock.now(), 10)).toEqual([]);
      clock.advance(DEFAULT_ORDER_POLICY.deadlines.reservationMs);
      expect(await harness.store.dueForDeadline(clock.now(), 10)).toEqual([{ tenantId: "acme", orderId: order.id }]);
      expect(await expireOverdueSagas(deps, { limit: 10, correlationId: "s" })).toBe(1);
      expect((await harness.store.find(alice.tenantId, order.id))?.state).toBe("cancelled");
      expect(await harness.store.dueForDeadline(clock.now(), 10)).toEqual([]);
    });

    it("lists newest first in keyset pages, by user and status, within the tenant only", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await place(alice, `key-page-${i}`)).id);
      await place(globexAlice);
      await cancelOrder(deps, alice, ids[0] as string, "");
      const first = await listOrders(deps, alice, { pageSize: 2 });
      expect(first.items.map((o) => o.id)).toEqual([ids[2], ids[1]]);
      const second = await listOrders(deps, alice, { pageSize: 2, pageToken: first.nextPageToken as string });
      expect(second.items.map((o) => o.id)).toEqual([ids[0]]);
      expect(second.nextPageToken).toBeUndefined();
      expect((await listOrders(deps, admin, { statuses: ["cancelled"] })).items.map((o) => o.id)).toEqual([ids[0]]);
      expect((await listOrders(deps, admin, { statuses: ["pending", "cancelled"] })).items).toHaveLength(3);
      expect((await listOrders(deps, admin, { userId: "nobody" })).items).toHaveLength(0);
      expect((await listOrders(deps, globexAlice, {})).items).toHaveLength(1);
      expect(await harness.store.find(globexAlice.tenantId, ids[0] as string)).toBeUndefined();
    });
  });
}
