import { describe, expect, it } from "vitest";
import {
  type CheckoutSnapshot,
  checkCheckoutInvariants,
  describeViolations,
  type MovementRow,
  type OrderRow,
  type PaymentRow,
  type ReservationRow,
} from "../../support/invariants/checkout-invariants.ts";

// The checker the checkout e2e tests and the bench end with: fed hand-made good and bad data,
// so each rule is shown to bite.
const T = "shop-a";
const now = new Date("2026-11-25T12:00:00Z");

function order(id: string, status: string, extra: Partial<OrderRow> = {}): OrderRow {
  return {
    tenantId: T,
    orderId: id,
    status,
    sagaState: status,
    totalMinor: 5_000,
    currency: "EUR",
    placedAt: new Date(now.getTime() - 60_000),
    deadlineAt: null,
    ...extra,
  };
}
const reservation = (orderId: string, status: string, quantity = 2): ReservationRow => ({
  tenantId: T,
  orderId,
  status,
  lines: [{ sku: "MUG", locationId: "main", quantity }],
});
const move = (kind: string, onHandDelta: number, reservedDelta: number, orderId: string | null): MovementRow => ({
  tenantId: T,
  sku: "MUG",
  locationId: "main",
  kind,
  onHandDelta,
  reservedDelta,
  orderId,
});
const payment = (orderId: string, status: string, extra: Partial<PaymentRow> = {}): PaymentRow => ({
  tenantId: T,
  orderId,
  paymentId: `pay-${orderId}`,
  status,
  amountMinor: 5_000,
  currency: "EUR",
  refunds: [],
  ...extra,
});

/** A consistent world: 10 mugs; o1 confirmed (2 committed), o2 declined (2 reserved then released), o3 out of stock. */
function goodWorld(): CheckoutSnapshot {
  return {
    orders: [order("o1", "delivered"), order("o2", "cancelled"), order("o3", "cancelled")],
    reservations: [
      reservation("o1", "committed"),
      reservation("o2", "released"),
      { ...reservation("o3", "rejected"), lines: [] },
    ],
    movements: [
      move("adjustment", 10, 0, null),
      move("reserved", 0, 2, "o1"),
      move("committed", -2, -2, "o1"),
      move("reserved", 0, 2, "o2"),
      move("released", 0, -2, "o2"),
    ],
    stock: [{ tenantId: T, sku: "MUG", locationId: "main", onHand: 8, reserved: 0 }],
    payments: [payment("o1", "succeeded"), payment("o2", "failed")],
  };
}

const rules = (snapshot: CheckoutSnapshot, options: Parameters<typeof checkCheckoutInvariants>[1] = { now }) =>
  checkCheckoutInvariants(snapshot, options).map((v) => `${v.rule} ${v.subject}`);

describe("checkout invariants", () => {
  it("when every order agrees with stock and money, then there is no violation", () => {
    const violations = checkCheckoutInvariants(goodWorld(), { now });
    expect(violations, describeViolations(violations)).toEqual([]);
  });

  it("when a confirmed order's stock was committed twice, then stock.committed-once and the ledger name it", () => {
    const world = goodWorld();
    const bad = { ...world, movements: [...world.movements, move("committed", -2, -2, "o1")] };
    expect(rules(bad)).toEqual(expect.arrayContaining([`stock.committed-once ${T}/o1`, `stock.ledger ${T}/MUG@main`]));
  });

  it("when a confirmed order's reservation is still only reserved, then it is a violation", () => {
    const world = goodWorld();
    const bad = { ...world, reservations: [reservation("o1", "reserved"), ...world.reservations.slice(1)] };
    expect(rules(bad)).toContain(`stock.committed-once ${T}/o1`);
    expect(rules(bad)).toContain(`stock.reserved-by-open-reservations ${T}/MUG@main`);
  });

  it("when a confirmed order has no payment, a failed one, a wrong amount or a refund, then money.charged-once names it", () => {
    const world = goodWorld();
    const without = { ...world, payments: world.payments.slice(1) };
    expect(rules(without)).toContain(`money.charged-once ${T}/o1`);
    const failed = { ...world, payments: [payment("o1", "failed"), world.payments[1]!] };
    expect(rules(failed)).toContain(`money.charged-once ${T}/o1`);
    const wrongAmount = { ...world, payments: [payment("o1", "succeeded", { amountMinor: 4_999 }), world.payments[1]!] };
    expect(rules(wrongAmount)).toContain(`money.charged-once ${T}/o1`);
    const refunded = {
      ...world,
      payments: [
        payment("o1", "partially_refunded", { refunds: [{ amountMinor: 100, status: "succeeded" }] }),
        world.payments[1]!,
      ],
    };
    expect(rules(refunded)).toContain(`money.charged-once ${T}/o1`);
  });

  it("when a cancelled order kept a charge or its stock, then money.not-kept and stock.released name it", () => {
    const world = goodWorld();
    const charged = { ...world, payments: [world.payments[0]!, payment("o2", "succeeded")] };
    expect(rules(charged)).toEqual([`money.not-kept ${T}/o2`]);
    const refunded = {
      ...world,
      payments: [world.payments[0]!, payment("o2", "refunded", { refunds: [{ amountMinor: 5_000, status: "succeeded" }] })],
    };
    expect(rules(refunded)).toEqual([]);
    const pendingRefund = {
      ...world,
      payments: [world.payments[0]!, payment("o2", "succeeded", { refunds: [{ amountMinor: 5_000, status: "pending" }] })],
    };
    expect(rules(pendingRefund)).toEqual([`money.not-kept ${T}/o2`]);
    const held = {
      ...world,
      reservations: [world.reservations[0]!, reservation("o2", "reserved"), world.reservations[2]!],
      movements: world.movements.slice(0, 4),
      stock: [{ tenantId: T, sku: "MUG", locationId: "main", onHand: 8, reserved: 2 }],
    };
    expect(rules(held)).toEqual([`stock.released ${T}/o2`, `stock.released ${T}/o2`]);
  });

  it("when a confirmed order is cancelled, then its committed stock must be restocked, once", () => {
    const world = goodWorld();
    const cancelled = [order("o1", "cancelled"), world.orders[1]!, world.orders[2]!];
    const refunded = payment("o1", "refunded", { refunds: [{ amountMinor: 5_000, status: "succeeded" }] });
    const restocked = {
      ...world,
      orders: cancelled,
      reservations: [reservation("o1", "restocked"), world.reservations[1]!, world.reservations[2]!],
      movements: [...world.movements, move("restocked", 2, 0, "o1")],
      stock: [{ tenantId: T, sku: "MUG", locationId: "main", onHand: 10, reserved: 0 }],
      payments: [refunded, world.payments[1]!],
    };
    expect(rules(restocked)).toEqual([]);
    const kept = {
      ...restocked,
      reservations: [reservation("o1", "committed"), ...restocked.reservations.slice(1)],
      movements: world.movements,
      stock: world.stock,
    };
    expect(rules(kept)).toEqual([`stock.released ${T}/o1`, `stock.released ${T}/o1`]);
  });

  it("when stock was lost (row and ledger disagree, or reserved above on hand), then the stock row is named", () => {
    const world = goodWorld();
    const lost = { ...world, stock: [{ tenantId: T, sku: "MUG", locationId: "main", onHand: 7, reserved: 0 }] };
    expect(rules(lost)).toEqual([`stock.ledger ${T}/MUG@main`]);
    const over = { ...world, stock: [{ tenantId: T, sku: "MUG", locationId: "main", onHand: 8, reserved: 9 }] };
    expect(rules(over)).toEqual(expect.arrayContaining([`stock.bounds ${T}/MUG@main`]));
  });

  it("when an order is still pending past its own deadline or the run's, then saga.final-by-deadline names it; before, nothing", () => {
    const world = goodWorld();
    const pending = order("o4", "pending", { deadlineAt: new Date(now.getTime() - 10_000) });
    const late = { ...world, orders: [...world.orders, pending] };
    expect(rules(late, { now, graceMs: 5_000 })).toEqual([`saga.final-by-deadline ${T}/o4`]);
    const early = { ...world, orders: [...world.orders, { ...pending, deadlineAt: new Date(now.getTime() + 10_000) }] };
    expect(rules(early, { now })).toEqual([]);
    expect(rules(early, { now, settleBy: new Date(now.getTime() - 1) })).toEqual([`saga.final-by-deadline ${T}/o4`]);
  });

  it("when a reservation or a charge has no order, then it is an orphan", () => {
    const world = goodWorld();
    const orphans = {
      ...world,
      reservations: [...world.reservations, { ...reservation("ghost", "committed"), lines: [] }],
      payments: [...world.payments, payment("ghost", "succeeded")],
    };
    expect(rules(orphans)).toEqual([`stock.orphan ${T}/ghost`, `money.orphan ${T}/ghost`]);
  });

  it("when there are two payments for one order, then money.one-payment names it", () => {
    const world = goodWorld();
    const twice = { ...world, payments: [...world.payments, { ...payment("o1", "succeeded"), paymentId: "pay-2" }] };
    expect(rules(twice)).toContain(`money.one-payment ${T}/o1`);
  });
});
