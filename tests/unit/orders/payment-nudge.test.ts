import { beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import { sequentialIds } from "../../../core/kit/ids.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { DEFAULT_ORDER_POLICY, type OrderDeps } from "../../../core/orders/order-deps.ts";
import { applySagaEvent, attemptPaymentWork, runPaymentWork } from "../../../core/orders/order-saga-steps.ts";
import type { OrderRef } from "../../../core/orders/order-store.ts";
import { cancelOrder, getOrder, placeOrder } from "../../../core/orders/orders.ts";
import { MemoryCheckoutSnapshots } from "../../../adapters/memory/orders/memory-checkout-snapshots.ts";
import { MemoryOrderStore } from "../../../adapters/memory/orders/memory-order-store.ts";
import { MemoryPaymentGateway } from "../../../adapters/memory/orders/memory-payment-gateway.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import { orderEventMapper } from "../../../services/orders/order-event-mapper.ts";
import { startSagaWorkers } from "../../../services/orders/saga-workers.ts";
import { ctxOf, snapshotOf, T0 } from "./support/order-builders.ts";

const alice = ctxOf("acme", "alice");
const service = ctxOf("acme", undefined);

/** A promise with its resolve, to hold a payment call in flight. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("payment work nudged right after the commit that asks for it", () => {
  let deps: OrderDeps;
  let store: MemoryOrderStore;
  let payments: MemoryPaymentGateway;
  let clock: ReturnType<typeof fixedClock>;
  let nudges: OrderRef[];
  let keys = 0;
  const place = (token = "tok_visa") =>
    placeOrder(deps, alice, {
      cartId: "cart-a",
      cartVersion: 3,
      paymentMethodToken: token,
      idempotencyKey: `key-${String(++keys).padStart(8, "0")}`,
    });
  const confirmedEvents = () => store.outbox.filter((e) => e.type === "shop.events.v1.OrderConfirmed");
  const steps = async (orderId: string) => (await getOrder(deps, alice, orderId)).timeline.map((e) => e.step);

  beforeEach(() => {
    clock = fixedClock(T0);
    store = new MemoryOrderStore(orderEventMapper);
    const snapshots = new MemoryCheckoutSnapshots();
    snapshots.put("acme" as TenantId, snapshotOf("cart-a", "alice"));
    payments = new MemoryPaymentGateway();
    nudges = [];
    deps = {
      store,
      snapshots,
      payments,
      clock,
      newId: sequentialIds("order"),
      policy: DEFAULT_ORDER_POLICY,
      paymentWorkDue: (ref) => void nudges.push(ref),
    };
  });

  describe("when the core nudges", () => {
    it("InventoryReserved nudges once, after its transaction committed; the nudged attempt charges and confirms", async () => {
      const order = await place();
      let seenAtNudge: ReturnType<MemoryOrderStore["find"]> | undefined;
      deps = {
        ...deps,
        paymentWorkDue: (ref) => {
          nudges.push(ref);
          // What the store holds when the nudge comes: the committed transition.
          seenAtNudge = store.find(ref.tenantId, ref.orderId);
        },
      };
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      expect(nudges).toEqual([{ tenantId: alice.tenantId, orderId: order.id }]);
      expect(await seenAtNudge).toMatchObject({ state: "payment_requested", payment: "requested", leaseUntil: undefined });
      expect(await attemptPaymentWork(deps, nudges[0] as OrderRef, { correlationId: "nudge" })).toBe(true);
      expect((await store.find(alice.tenantId, order.id))?.state).toBe("confirmed");
      expect(payments.chargeCalls).toBe(1);
      // Nothing left for the poll.
      expect(await runPaymentWork(deps, { limit: 10, correlationId: "poll" })).toBe(0);
    });

    it("a duplicate InventoryReserved, a transition that needs no payment, and a leased order nudge nothing", async () => {
      const order = await place();
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      expect(nudges).toHaveLength(1);

      const rejected = await place();
      await applySagaEvent(deps, service, rejected.id, { type: "InventoryRejected", detail: "SKU-1 short by 2" });
      expect(nudges).toHaveLength(1);

      // Held by a worker (PROCESSING keeps the lease): a transition meanwhile does not nudge.
      const slow = await place("tok_slow");
      await applySagaEvent(deps, service, slow.id, { type: "InventoryReserved" });
      expect(nudges).toHaveLength(2);
      await attemptPaymentWork(deps, { tenantId: alice.tenantId, orderId: slow.id }, { correlationId: "w" });
      expect((await store.find(alice.tenantId, slow.id))?.leaseUntil).toBeDefined();
      await cancelOrder(deps, alice, slow.id, "");
      expect((await store.find(alice.tenantId, slow.id))?.state).toBe("cancelling");
      expect(nudges).toHaveLength(2);
    });

    it("CancelOrder of a paid order nudges the refund; the nudged attempt refunds once", async () => {
      const order = await place();
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      await attemptPaymentWork(deps, nudges[0] as OrderRef, { correlationId: "nudge" });
      await cancelOrder(deps, alice, order.id, "changed my mind");
      expect(nudges).toHaveLength(2);
      expect(await attemptPaymentWork(deps, nudges[1] as OrderRef, { correlationId: "nudge" })).toBe(true);
      expect((await store.find(alice.tenantId, order.id))?.payment).toBe("refunded");
      expect(payments.refundCalls).toBe(1);
      expect(await runPaymentWork(deps, { limit: 10, correlationId: "poll" })).toBe(0);
    });

    it("a late charge success after the saga gave up nudges the refund from the worker's own answer", async () => {
      const order = await place("tok_slow");
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      await attemptPaymentWork(deps, nudges[0] as OrderRef, { correlationId: "w" }); // PROCESSING, leased
      clock.advance(DEFAULT_ORDER_POLICY.deadlines.paymentMs);
      await applySagaEvent(deps, service, order.id, { type: "DeadlinePassed" });
      expect((await store.find(alice.tenantId, order.id))?.state).toBe("cancelling");
      payments.settle(order.id, "succeeded");
      const nudgedBefore = nudges.length;
      // The lease lapsed: the poll asks again, learns SUCCEEDED, the saga wants a refund: nudged.
      expect(await runPaymentWork(deps, { limit: 10, correlationId: "poll" })).toBe(1);
      expect((await store.find(alice.tenantId, order.id))?.payment).toBe("refund_due");
      expect(nudges.slice(nudgedBefore)).toEqual([{ tenantId: alice.tenantId, orderId: order.id }]);
    });
  });

  describe("a nudge and the poll racing for one order", () => {
    it.each([
      ["the nudge starts first", true],
      ["the poll starts first", false],
    ])("%s: one lease, one charge call, its outcome applied once", async (_name, nudgeFirst) => {
      const order = await place();
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      const held = gate();
      const realCharge = payments.charge.bind(payments);
      payments.charge = async (ctx, request) => {
        await held.promise;
        return realCharge(ctx, request);
      };
      const seenDueByPoll: string[] = [];
      const realDue = store.dueForPaymentWork.bind(store);
      store.dueForPaymentWork = async (now, limit) => {
        const due = await realDue(now, limit);
        seenDueByPoll.push(...due.map((ref) => ref.orderId));
        return due;
      };
      const nudge = () => attemptPaymentWork(deps, { tenantId: alice.tenantId, orderId: order.id }, { correlationId: "nudge" });
      const poll = () => runPaymentWork(deps, { limit: 10, correlationId: "poll" });
      const racing = nudgeFirst ? [nudge(), poll()] : [poll(), nudge()];
      await new Promise((resolve) => setTimeout(resolve, 10));
      held.open();
      const [first, second] = await Promise.all(racing);
      // Both saw the order due; one took the lease and called payment, the other stepped back.
      expect(seenDueByPoll).toEqual([order.id]);
      expect([Number(first), Number(second)].sort()).toEqual([0, 1]);
      expect(payments.chargeCalls).toBe(1);
      expect((await store.find(alice.tenantId, order.id))?.state).toBe("confirmed");
      expect((await steps(order.id)).filter((s) => s === "payment_succeeded" || s === "confirmed")).toEqual([
        "payment_succeeded",
        "confirmed",
      ]);
      expect(confirmedEvents()).toHaveLength(1);
    });

    it("a call that outlives its lease: the second call is answered by payment's idempotency on the order, applied once", async () => {
      const order = await place();
      await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
      // The first call reaches payment (the payment exists) but its answer is slow to come back.
      const held = gate();
      const realCharge = payments.charge.bind(payments);
      let calls = 0;
      payments.charge = async (ctx, request) => {
        const answer = await realCharge(ctx, request);
        if (++calls === 1) await held.promise;
        return answer;
      };
      const nudged = attemptPaymentWork(deps, { tenantId: alice.tenantId, orderId: order.id }, { correlationId: "nudge" });
      await new Promise((resolve) => setTimeout(resolve, 10));
      clock.advance(DEFAULT_ORDER_POLICY.paymentLeaseMs + 1);
      expect(await runPaymentWork(deps, { limit: 10, correlationId: "poll" })).toBe(1); // the lease had lapsed
      expect((await store.find(alice.tenantId, order.id))?.state).toBe("confirmed");
      held.open();
      expect(await nudged).toBe(true);
      expect(payments.chargeCalls).toBe(2);
      expect(payments.payments.size).toBe(1); // one payment: the second call got the first one's answer
      expect((await steps(order.id)).filter((s) => s === "payment_succeeded" || s === "confirmed")).toEqual([
        "payment_succeeded",
        "confirmed",
      ]);
      expect(confirmedEvents()).toHaveLength(1);
      expect(payments.charged()).toEqual([order.id]);
    });
  });

  describe("startSagaWorkers (services/orders)", () => {
    const logger = createLogger("orders-test", "silent");

    it("a nudge charges at once, long before the next poll", async () => {
      let workers: ReturnType<typeof startSagaWorkers> | undefined;
      deps = { ...deps, paymentWorkDue: (ref) => workers?.nudge(ref) };
      workers = startSagaWorkers(deps, { intervalMs: 600_000, logger });
      try {
        await new Promise((resolve) => setTimeout(resolve, 20)); // the first (empty) poll round is over
        const order = await place();
        await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
        await eventually(async () => (await store.find(alice.tenantId, order.id))?.state === "confirmed", 1_000);
        expect(payments.chargeCalls).toBe(1);
        // The refund of a cancellation goes at once too.
        await cancelOrder(deps, alice, order.id, "");
        await eventually(async () => (await store.find(alice.tenantId, order.id))?.state === "cancelled", 1_000);
        expect(payments.refundCalls).toBe(1);
      } finally {
        await workers.stop();
      }
    });

    it("nudges (twice each) and a busy poll over many orders: one charge call per order, each confirmed once", async () => {
      let workers: ReturnType<typeof startSagaWorkers> | undefined;
      deps = { ...deps, paymentWorkDue: (ref) => workers?.nudge(ref) };
      const realCharge = payments.charge.bind(payments);
      payments.charge = async (ctx, request) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
        return realCharge(ctx, request);
      };
      workers = startSagaWorkers(deps, { intervalMs: 1, logger });
      try {
        const orders: Awaited<ReturnType<typeof place>>[] = [];
        for (let i = 0; i < 20; i++) orders.push(await place());
        await Promise.all(
          orders.map(async (order) => {
            await applySagaEvent(deps, service, order.id, { type: "InventoryReserved" });
            workers?.nudge({ tenantId: alice.tenantId, orderId: order.id });
          }),
        );
        await eventually(async () => {
          const states = await Promise.all(orders.map(async (o) => (await store.find(alice.tenantId, o.id))?.state));
          return states.every((s) => s === "confirmed");
        });
        expect(payments.chargeCalls).toBe(20);
        expect(confirmedEvents()).toHaveLength(20);
      } finally {
        await workers.stop();
      }
      // Stopped: a nudge is dropped, nothing runs.
      workers.nudge({ tenantId: alice.tenantId, orderId: "order-1" });
      expect(payments.chargeCalls).toBe(20);
    });
  });
});
