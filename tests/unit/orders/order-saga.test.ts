import { describe, expect, it } from "vitest";
import type { Order } from "../../../core/orders/order.ts";
import { DEFAULT_SAGA_DEADLINES, type SagaEvent, transition } from "../../../core/orders/order-saga.ts";
import { orderIn, T0 } from "./support/order-builders.ts";

const now = new Date(T0.getTime() + 1_000);
const d = DEFAULT_SAGA_DEADLINES;

const reserved: SagaEvent = { type: "InventoryReserved" };
const rejected: SagaEvent = { type: "InventoryRejected", detail: "SKU-1 short by 2" };
const released: SagaEvent = { type: "InventoryReleased" };
const chargeOk: SagaEvent = { type: "ChargeAnswered", outcome: "succeeded", paymentId: "pay-1" };
const chargeSlow: SagaEvent = { type: "ChargeAnswered", outcome: "processing", paymentId: "pay-1" };
const chargeNo: SagaEvent = { type: "ChargeAnswered", outcome: "failed", paymentId: "pay-1", detail: "declined" };
const paid: SagaEvent = { type: "PaymentSucceeded", paymentId: "pay-1" };
const declined: SagaEvent = { type: "PaymentFailed", paymentId: "pay-1", detail: "declined: insufficient_funds" };
const refunded: SagaEvent = { type: "Refunded", paymentId: "pay-1" };
const cancel: SagaEvent = { type: "CancelRequested", by: "customer", note: "changed my mind" };
const late: SagaEvent = { type: "DeadlinePassed" };
const shipped: SagaEvent = { type: "Shipped", shipmentId: "sh-1", detail: "DHL 123" };
const delivered: SagaEvent = { type: "Delivered", shipmentId: "sh-1" };

const charging = (o: Partial<Order> = {}) => orderIn("payment_requested", { stockHeld: true, payment: "requested", ...o });
const processing = (o: Partial<Order> = {}) => orderIn("awaiting_payment", { stockHeld: true, payment: "processing", ...o });
const confirmed = (o: Partial<Order> = {}) =>
  orderIn("confirmed", { stockHeld: true, payment: "succeeded", deadlineAt: undefined, ...o });

interface Row {
  readonly name: string;
  readonly from: Order;
  readonly event: SagaEvent;
  /** undefined: unchanged. */
  readonly to?: { state: Order["state"]; payment?: Order["payment"]; stockHeld?: boolean; reason?: Order["cancellationReason"] };
  readonly steps?: string[];
  readonly events?: string[];
  readonly at?: Date;
}

const table: Row[] = [
  {
    name: "reserved -> payment requested",
    from: orderIn("awaiting_stock"),
    event: reserved,
    to: { state: "payment_requested", payment: "requested", stockHeld: true },
    steps: ["stock_reserved", "payment_requested"],
    events: [],
  },
  {
    name: "rejected -> cancelled out of stock",
    from: orderIn("awaiting_stock"),
    event: rejected,
    to: { state: "cancelled", reason: "out_of_stock", stockHeld: false },
    steps: ["stock_rejected", "cancelled"],
    events: ["OrderCancelled"],
  },
  {
    name: "charge succeeded -> confirmed",
    from: charging(),
    event: chargeOk,
    to: { state: "confirmed", payment: "succeeded" },
    steps: ["payment_succeeded", "confirmed"],
    events: ["OrderConfirmed"],
  },
  {
    name: "charge processing -> awaiting payment",
    from: charging(),
    event: chargeSlow,
    to: { state: "awaiting_payment", payment: "processing" },
    steps: [],
    events: [],
  },
  {
    name: "PaymentSucceeded while processing -> confirmed",
    from: processing(),
    event: paid,
    to: { state: "confirmed", payment: "succeeded" },
    steps: ["payment_succeeded", "confirmed"],
    events: ["OrderConfirmed"],
  },
  {
    name: "charge declined -> cancelling, waiting for the release",
    from: charging(),
    event: chargeNo,
    to: { state: "cancelling", payment: "failed", stockHeld: true, reason: "payment_declined" },
    steps: ["payment_failed"],
    events: ["OrderCancelled"],
  },
  {
    name: "PaymentFailed while processing -> cancelling",
    from: processing(),
    event: declined,
    to: { state: "cancelling", payment: "failed", reason: "payment_declined" },
    steps: ["payment_failed"],
    events: ["OrderCancelled"],
  },
  {
    name: "release confirmed -> cancelled",
    from: orderIn("cancelling", { stockHeld: true, payment: "failed", cancellationReason: "payment_declined" }),
    event: released,
    to: { state: "cancelled", stockHeld: false, reason: "payment_declined" },
    steps: ["stock_released", "cancelled"],
    events: [],
  },
  {
    name: "customer cancels before the reservation -> cancelled at once",
    from: orderIn("awaiting_stock"),
    event: cancel,
    to: { state: "cancelled", reason: "customer_requested" },
    steps: ["cancellation_requested", "cancelled"],
    events: ["OrderCancelled"],
  },
  {
    name: "customer cancels a confirmed order -> cancelling, refund due",
    from: confirmed(),
    event: cancel,
    to: { state: "cancelling", payment: "refund_due", stockHeld: false, reason: "customer_requested" },
    steps: ["cancellation_requested", "refund_requested"],
    events: ["OrderCancelled"],
  },
  {
    name: "refund done -> cancelled",
    from: orderIn("cancelling", { payment: "refund_due", cancellationReason: "customer_requested" }),
    event: refunded,
    to: { state: "cancelled", payment: "refunded" },
    steps: ["refunded", "cancelled"],
    events: [],
  },
  {
    name: "refund done but stock still held -> still cancelling",
    from: orderIn("cancelling", { stockHeld: true, payment: "refund_due", cancellationReason: "customer_requested" }),
    event: refunded,
    to: { state: "cancelling", payment: "refunded" },
    steps: ["refunded"],
    events: [],
  },
  {
    name: "cancel while the charge is unsettled -> waits for its outcome",
    from: processing(),
    event: cancel,
    to: { state: "cancelling", payment: "processing", stockHeld: true },
    events: ["OrderCancelled"],
  },
  {
    name: "money taken after cancellation -> refund due",
    from: orderIn("cancelled", { payment: "processing", cancellationReason: "timed_out", deadlineAt: undefined }),
    event: paid,
    to: { state: "cancelled", payment: "refund_due" },
    steps: ["payment_succeeded", "refund_requested"],
    events: [],
  },
  {
    name: "reservation deadline -> cancelled timed out",
    from: orderIn("awaiting_stock", { deadlineAt: T0 }),
    event: late,
    to: { state: "cancelled", reason: "timed_out" },
    steps: ["timed_out", "cancelled"],
    events: ["OrderCancelled"],
  },
  {
    name: "payment deadline -> cancelling timed out",
    from: processing({ deadlineAt: T0 }),
    event: late,
    to: { state: "cancelling", reason: "timed_out", payment: "processing" },
    steps: ["timed_out"],
    events: ["OrderCancelled"],
  },
  {
    name: "cancellation deadline -> cancelled with what is unconfirmed",
    from: orderIn("cancelling", { stockHeld: true, deadlineAt: T0, cancellationReason: "payment_declined" }),
    event: late,
    to: { state: "cancelled" },
    steps: ["timed_out", "cancelled"],
    events: [],
  },
  {
    name: "hold expired before the charge was answered -> cancelled timed out (a late charge is refunded)",
    from: charging(),
    event: released,
    to: { state: "cancelled", stockHeld: false, reason: "timed_out", payment: "requested" },
    steps: ["stock_released", "cancelled"],
    events: ["OrderCancelled"],
  },
  { name: "shipped", from: confirmed(), event: shipped, to: { state: "shipped" }, steps: ["shipped"], events: [] },
  { name: "delivered", from: orderIn("shipped"), event: delivered, to: { state: "delivered" }, steps: ["delivered"], events: [] },
  // Guards: duplicates and reordering change nothing.
  { name: "duplicate InventoryReserved", from: charging(), event: reserved },
  { name: "InventoryRejected after reserved", from: charging(), event: rejected },
  { name: "InventoryReserved after cancelled", from: orderIn("cancelled", { deadlineAt: undefined }), event: reserved },
  { name: "duplicate PaymentSucceeded", from: confirmed(), event: paid },
  { name: "PaymentFailed after confirmed", from: confirmed(), event: declined },
  { name: "PaymentSucceeded before reserved", from: orderIn("awaiting_stock"), event: paid },
  { name: "duplicate processing answer", from: processing(), event: chargeSlow },
  { name: "cancel a cancelled order", from: orderIn("cancelled", { deadlineAt: undefined }), event: cancel },
  { name: "cancel a cancelling order", from: orderIn("cancelling"), event: cancel },
  { name: "deadline not reached", from: orderIn("awaiting_stock"), event: late },
  { name: "no deadline once confirmed", from: confirmed(), event: late, at: new Date(T0.getTime() + 3_600_000) },
  { name: "refund answer with nothing due", from: confirmed(), event: refunded },
  { name: "release of stock not held", from: orderIn("cancelled", { deadlineAt: undefined }), event: released },
  { name: "shipped before confirmed", from: charging(), event: shipped },
  { name: "duplicate delivered", from: orderIn("delivered"), event: delivered },
];

describe("the checkout saga's transition function", () => {
  it.each(table)("$name", (row) => {
    const out = transition(row.from, row.event, row.at ?? now, d);
    if (!row.to) {
      expect(out).toEqual({ kind: "unchanged" });
      return;
    }
    if (out.kind !== "changed") throw new Error(`expected a change, got ${out.kind}`);
    expect(out.order.state).toBe(row.to.state);
    if (row.to.payment) expect(out.order.payment).toBe(row.to.payment);
    if (row.to.stockHeld !== undefined) expect(out.order.stockHeld).toBe(row.to.stockHeld);
    if (row.to.reason) expect(out.order.cancellationReason).toBe(row.to.reason);
    if (row.steps) expect(out.timeline.map((e) => e.step)).toEqual(row.steps);
    if (row.events) expect(out.events.map((e) => e.type)).toEqual(row.events);
    expect(out.order.updatedAt).toEqual(row.at ?? now);
    for (const e of out.events) expect(e.order.state).toBe(out.order.state);
  });

  it("refuses to cancel once shipped or delivered", () => {
    for (const state of ["shipped", "delivered"] as const) {
      expect(transition(orderIn(state), cancel, now, d)).toMatchObject({ kind: "refused", code: "ORDER.ALREADY_SHIPPED" });
    }
  });

  it("sets each step's deadline from the policy and clears it when confirmed or final", () => {
    const step1 = transition(orderIn("awaiting_stock"), reserved, now, d);
    expect(step1.kind === "changed" && step1.order.deadlineAt).toEqual(new Date(now.getTime() + d.paymentMs));
    const step2 = transition(charging(), chargeOk, now, d);
    expect(step2.kind === "changed" && step2.order.deadlineAt).toBeUndefined();
    const step3 = transition(charging(), chargeNo, now, d);
    expect(step3.kind === "changed" && step3.order.deadlineAt).toEqual(new Date(now.getTime() + d.cancellationMs));
  });

  it("marks OrderCancelled refund_due only when money was taken", () => {
    const fromConfirmed = transition(confirmed(), cancel, now, d);
    const fromPending = transition(charging(), cancel, now, d);
    expect(fromConfirmed.kind === "changed" && fromConfirmed.events[0]).toMatchObject({
      type: "OrderCancelled",
      refundDue: true,
    });
    expect(fromPending.kind === "changed" && fromPending.events[0]).toMatchObject({ type: "OrderCancelled", refundDue: false });
  });

  it("reaches the same final state whichever order a decline's messages arrive in", () => {
    const run = (events: SagaEvent[]) =>
      events.reduce((order, event) => {
        const out = transition(order, event, now, d);
        return out.kind === "changed" ? out.order : order;
      }, orderIn("awaiting_stock"));
    const a = run([reserved, chargeNo, declined, released, released]);
    const b = run([reserved, reserved, declined, chargeNo, released]);
    expect(a.state).toBe("cancelled");
    expect(b.state).toBe("cancelled");
    expect({ ...a, updatedAt: 0 }).toEqual({ ...b, updatedAt: 0 });
  });
});
