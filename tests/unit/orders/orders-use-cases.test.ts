import { fromBinary } from "@bufbuild/protobuf";
import { beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import { sequentialIds } from "../../../core/kit/ids.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { DEFAULT_ORDER_POLICY, type OrderDeps } from "../../../core/orders/order-deps.ts";
import { applySagaEvent, expireOverdueSagas, runPaymentWork } from "../../../core/orders/order-saga-steps.ts";
import { cancelOrder, getOrder, listOrders, placeOrder } from "../../../core/orders/orders.ts";
import { MemoryCheckoutSnapshots } from "../../../adapters/memory/orders/memory-checkout-snapshots.ts";
import { MemoryOrderStore } from "../../../adapters/memory/orders/memory-order-store.ts";
import { MemoryPaymentGateway } from "../../../adapters/memory/orders/memory-payment-gateway.ts";
import { OrderCancelledSchema, OrderCancellationReason } from "../../../gen/shop/events/v1/order_events_pb.ts";
import { orderEventMapper } from "../../../services/orders/order-event-mapper.ts";
import { domainFailure } from "../../support/domain-failure.ts";
import { ctxOf, snapshotOf, T0 } from "./support/order-builders.ts";

const alice = ctxOf("acme", "alice");
const bob = ctxOf("acme", "bob");
const admin = ctxOf("acme", "boss", ["tenant_admin"]);
const otherTenantAlice = ctxOf("globex", "alice");
const otherAdmin = ctxOf("globex", "boss", ["tenant_admin"]);
const service = ctxOf("acme", undefined);

describe("orders use cases (memory adapters)", () => {
  let deps: OrderDeps;
  let store: MemoryOrderStore;
  let snapshots: MemoryCheckoutSnapshots;
  let payments: MemoryPaymentGateway;
  let clock: ReturnType<typeof fixedClock>;
  const place = (ctx = alice, input: Partial<Parameters<typeof placeOrder>[2]> = {}) =>
    placeOrder(deps, ctx, {
      cartId: "cart-a",
      cartVersion: 3,
      paymentMethodToken: "tok_visa",
      idempotencyKey: "key-0000001",
      ...input,
    });
  const work = () => runPaymentWork(deps, { limit: 10, correlationId: "worker" });

  beforeEach(() => {
    clock = fixedClock(T0);
    store = new MemoryOrderStore(orderEventMapper);
    snapshots = new MemoryCheckoutSnapshots();
    payments = new MemoryPaymentGateway();
    deps = { store, snapshots, payments, clock, newId: sequentialIds("order"), policy: DEFAULT_ORDER_POLICY };
    snapshots.put("acme" as TenantId, snapshotOf("cart-a", "alice"));
    snapshots.put("acme" as TenantId, snapshotOf("cart-b", "alice", { cartVersion: 5 }));
  });

  describe("PlaceOrder", () => {
    it("creates the order PENDING with OrderCreated in the outbox and a placed timeline entry", async () => {
      const order = await place();
      expect(order).toMatchObject({ state: "awaiting_stock", userId: "alice", cartId: "cart-a", cartVersion: 3 });
      expect(store.outbox.map((e) => [e.type, e.key, e.topic])).toEqual([
        ["shop.events.v1.OrderCreated", order.id, "order-events"],
      ]);
      expect((await getOrder(deps, alice, order.id)).timeline.map((e) => e.step)).toEqual(["placed"]);
    });

    it("answers a replay with the same order and asks cart nothing", async () => {
      const first = await place();
      const calls = snapshots.calls;
      const again = await place();
      expect(again.id).toBe(first.id);
      expect(snapshots.calls).toBe(calls);
      expect(store.outbox).toHaveLength(1);
    });

    it("two concurrent first attempts make one order", async () => {
      const [a, b] = await Promise.all([place(), place()]);
      expect(a.id).toBe(b.id);
      expect((await listOrders(deps, alice, {})).items).toHaveLength(1);
    });

    it("refuses the same key for another cart (INVALID_ARGUMENT on idempotency_key)", async () => {
      await place();
      const failure = await domainFailure(place(alice, { cartId: "cart-b", cartVersion: 5 }));
      expect(failure).toMatchObject({ kind: "invalid", field: "idempotency_key" });
    });

    it("the same key of another user or tenant is another order", async () => {
      snapshots.put("acme" as TenantId, snapshotOf("cart-c", "bob"));
      snapshots.put("globex" as TenantId, snapshotOf("cart-a", "alice"));
      const a = await place();
      const b = await place(bob, { cartId: "cart-c" });
      const c = await place(otherTenantAlice);
      expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    });

    it("refuses a stale version, an expired snapshot and a cart not ready (FAILED_PRECONDITION)", async () => {
      expect(await domainFailure(place(alice, { cartVersion: 2 }))).toMatchObject({
        kind: "failed_precondition",
        code: "CART.VERSION_STALE",
      });
      snapshots.put("acme" as TenantId, snapshotOf("cart-x", "alice", { expiresAt: T0 }));
      expect(await domainFailure(place(alice, { cartId: "cart-x", idempotencyKey: "key-0000002" }))).toMatchObject({
        code: "CART.VERSION_STALE",
      });
      snapshots.put("acme" as TenantId, snapshotOf("cart-y", "alice", { readyForCheckout: false }));
      expect(await domainFailure(place(alice, { cartId: "cart-y", idempotencyKey: "key-0000003" }))).toMatchObject({
        kind: "failed_precondition",
      });
      expect(store.outbox).toHaveLength(0);
    });

    it("refuses bad input naming the field, and a card number as a token", async () => {
      expect(await domainFailure(place(alice, { paymentMethodToken: "4242424242424242" }))).toMatchObject({
        field: "payment_method_token",
      });
      for (const dressed of ["4242-4242-4242-4242", "tok_5555_5555_5555_4444"])
        expect(await domainFailure(place(alice, { paymentMethodToken: dressed }))).toMatchObject({
          field: "payment_method_token",
        });
      expect(await domainFailure(place(alice, { paymentMethodToken: "tok visa" }))).toMatchObject({
        field: "payment_method_token",
      });
      expect(await domainFailure(place(alice, { idempotencyKey: "short" }))).toMatchObject({ field: "idempotency_key" });
      expect(await domainFailure(place(alice, { cartId: "" }))).toMatchObject({ field: "cart_id" });
      expect(await domainFailure(place(alice, { cartVersion: 0 }))).toMatchObject({ field: "cart_version" });
      expect(await domainFailure(place(service))).toMatchObject({ kind: "unauthenticated" });
      expect(snapshots.calls).toBe(0);
    });

    it("another user's cart is not found", async () => {
      expect(await domainFailure(place(bob))).toMatchObject({ kind: "permission_denied" });
    });
  });

  describe("the saga on memory adapters", () => {
    it("reserved -> charged by the worker -> CONFIRMED with OrderConfirmed", async () => {
      const order = await place();
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      expect(await work()).toBe(1);
      const { order: done, timeline } = await getOrder(deps, alice, order.id);
      expect(done).toMatchObject({ state: "confirmed", payment: "succeeded", paymentId: `pay-${order.id}` });
      expect(timeline.map((e) => e.step)).toEqual([
        "placed",
        "stock_reserved",
        "payment_requested",
        "payment_succeeded",
        "confirmed",
      ]);
      expect(store.outbox.map((e) => e.type)).toEqual(["shop.events.v1.OrderCreated", "shop.events.v1.OrderConfirmed"]);
      expect(await work()).toBe(0);
      expect(payments.chargeCalls).toBe(1);
    });

    it("a declined charge cancels: OrderCancelled(PAYMENT_DECLINED), CANCELLED once stock is back", async () => {
      const order = await place(alice, { paymentMethodToken: "tok_decline" });
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      await work();
      expect((await store.find(alice.tenantId, order.id))?.state).toBe("cancelling");
      const cancelled = store.outbox.find((e) => e.type === "shop.events.v1.OrderCancelled");
      expect(cancelled && fromBinary(OrderCancelledSchema, cancelled.payload)).toMatchObject({
        reason: OrderCancellationReason.PAYMENT_DECLINED,
        refundDue: false,
      });
      await applySagaEvent(deps, service, order.id, { type: "InventoryReleased" });
      expect((await store.find(alice.tenantId, order.id))?.state).toBe("cancelled");
    });

    it("a charge answered PROCESSING waits for PaymentSucceeded; asking again never charges twice", async () => {
      const order = await place(alice, { paymentMethodToken: "tok_slow" });
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      await work();
      expect((await store.find(alice.tenantId, order.id))?.state).toBe("awaiting_payment");
      expect(await work()).toBe(0); // leased
      clock.advance(DEFAULT_ORDER_POLICY.paymentLeaseMs);
      expect(await work()).toBe(1); // asks again
      expect(payments.payments.size).toBe(1);
      payments.settle(order.id, "succeeded");
      await applySagaEvent(deps, service, order.id, { type: "PaymentSucceeded", paymentId: `pay-${order.id}` });
      await applySagaEvent(deps, service, order.id, { type: "PaymentSucceeded", paymentId: `pay-${order.id}` });
      expect((await store.find(alice.tenantId, order.id))?.state).toBe("confirmed");
      expect(store.outbox.filter((e) => e.type === "shop.events.v1.OrderConfirmed")).toHaveLength(1);
    });

    it("payment unreachable: the lease lapses and a later round charges", async () => {
      const order = await place(alice, { paymentMethodToken: "tok_down" });
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      const errors: unknown[] = [];
      await runPaymentWork(deps, { limit: 10, correlationId: "w", onError: (e) => errors.push(e) });
      expect(errors).toHaveLength(1);
      expect((await store.find(alice.tenantId, order.id))?.state).toBe("payment_requested");
    });

    it("the customer cancels a confirmed order: refund once, CANCELLED", async () => {
      const order = await place();
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      await work();
      const { order: cancelling } = await cancelOrder(deps, alice, order.id, "changed my mind");
      expect(cancelling).toMatchObject({ state: "cancelling", payment: "refund_due", cancellationReason: "customer_requested" });
      await work();
      const { order: done, timeline } = await getOrder(deps, alice, order.id);
      expect(done).toMatchObject({ state: "cancelled", payment: "refunded" });
      expect(timeline.map((e) => e.step).slice(-4)).toEqual([
        "cancellation_requested",
        "refund_requested",
        "refunded",
        "cancelled",
      ]);
      expect(timeline.find((e) => e.step === "cancellation_requested")?.detail).toContain("changed my mind");
      expect(payments.charged()).toEqual([]);
      expect(payments.refundCalls).toBe(1);
      // Cancelling again answers it unchanged.
      expect((await cancelOrder(deps, alice, order.id, "")).order.version).toBe(done.version);
    });

    it("a payment event that beats the worker's answer does not keep the order leased: the refund goes at once", async () => {
      const order = await place(alice, { paymentMethodToken: "tok_slow" });
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      // The event arrives while the worker's charge call is in flight (lease held).
      const realCharge = payments.charge.bind(payments);
      payments.charge = async (ctx, request) => {
        const answer = await realCharge(ctx, request);
        payments.settle(order.id, "succeeded");
        await applySagaEvent(deps, service, order.id, { type: "PaymentSucceeded", paymentId: answer.paymentId });
        return { ...answer, outcome: "succeeded" };
      };
      await work();
      expect((await store.find(alice.tenantId, order.id))?.leaseUntil).toBeUndefined();
      await cancelOrder(deps, alice, order.id, "");
      expect(await work()).toBe(1);
      expect((await store.find(alice.tenantId, order.id))?.state).toBe("cancelled");
    });

    it("cancelling after shipment is FAILED_PRECONDITION", async () => {
      const order = await place();
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      await work();
      await applySagaEvent(deps, service, order.id, { type: "Shipped", shipmentId: "sh-1", detail: "DHL" });
      expect(await domainFailure(cancelOrder(deps, alice, order.id, ""))).toMatchObject({ kind: "failed_precondition" });
      await applySagaEvent(deps, service, order.id, { type: "Delivered", shipmentId: "sh-1" });
      expect((await store.find(alice.tenantId, order.id))?.state).toBe("delivered");
    });

    it("the sweeper times out a saga stuck past its deadline (controllable clock)", async () => {
      const order = await place();
      clock.advance(DEFAULT_ORDER_POLICY.deadlines.reservationMs - 1);
      expect(await expireOverdueSagas(deps, { limit: 10, correlationId: "sweep" })).toBe(0);
      clock.advance(1);
      expect(await expireOverdueSagas(deps, { limit: 10, correlationId: "sweep" })).toBe(1);
      const { order: done, timeline } = await getOrder(deps, alice, order.id);
      expect(done).toMatchObject({ state: "cancelled", cancellationReason: "timed_out" });
      expect(timeline.map((e) => e.step)).toEqual(["placed", "timed_out", "cancelled"]);
      expect(await expireOverdueSagas(deps, { limit: 10, correlationId: "sweep" })).toBe(0);
    });

    it("events for an order the tenant does not have are ignored", async () => {
      const order = await place();
      expect(await applySagaEvent(deps, ctxOf("globex", undefined), order.id, { type: "InventoryReserved" })).toBeUndefined();
      expect((await store.find(alice.tenantId, order.id))?.state).toBe("awaiting_stock");
    });
  });

  describe("who sees what", () => {
    it("GetOrder and CancelOrder: the owner and the tenant's admins; NOT_FOUND for others and other tenants", async () => {
      const order = await place();
      expect((await getOrder(deps, admin, order.id)).order.id).toBe(order.id);
      for (const ctx of [bob, otherTenantAlice, otherAdmin]) {
        expect(await domainFailure(getOrder(deps, ctx, order.id))).toMatchObject({ kind: "not_found" });
        expect(await domainFailure(cancelOrder(deps, ctx, order.id, ""))).toMatchObject({ kind: "not_found" });
      }
      expect(await domainFailure(getOrder(deps, service, order.id))).toMatchObject({ kind: "unauthenticated" });
      const byAdmin = await cancelOrder(deps, admin, order.id, "fraud check");
      expect(byAdmin.order.cancellationReason).toBe("admin_requested");
    });

    it("ListOrders: own orders newest first with cursor pages; admins any user's; others refused", async () => {
      snapshots.put("acme" as TenantId, snapshotOf("cart-c", "bob"));
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await place(alice, { idempotencyKey: `key-alice-${i}` })).id);
      await place(bob, { cartId: "cart-c" });
      const first = await listOrders(deps, alice, { pageSize: 2 });
      expect(first.items.map((o) => o.id)).toEqual([ids[4], ids[3]]);
      const second = await listOrders(deps, alice, { pageSize: 2, pageToken: first.nextPageToken as string });
      expect(second.items.map((o) => o.id)).toEqual([ids[2], ids[1]]);
      const third = await listOrders(deps, alice, { pageSize: 2, pageToken: second.nextPageToken as string });
      expect(third.items.map((o) => o.id)).toEqual([ids[0]]);
      expect(third.nextPageToken).toBeUndefined();
      expect((await listOrders(deps, admin, {})).items).toHaveLength(6);
      expect((await listOrders(deps, admin, { userId: "bob" })).items).toHaveLength(1);
      expect((await listOrders(deps, otherAdmin, {})).items).toHaveLength(0);
      expect(await domainFailure(listOrders(deps, alice, { userId: "bob" }))).toMatchObject({ kind: "permission_denied" });
      expect((await listOrders(deps, alice, { statuses: ["cancelled"] })).items).toHaveLength(0);
      expect((await listOrders(deps, alice, { statuses: ["pending"] })).items).toHaveLength(5);
      expect(await domainFailure(listOrders(deps, alice, { pageToken: "garbage" }))).toMatchObject({ field: "page.page_token" });
    });
  });
});
