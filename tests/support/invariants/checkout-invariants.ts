/**
 * The checkout invariants, over plain rows read from the orders, inventory and payment
 * databases (see load-checkout-snapshot.ts). Pure: `checkCheckoutInvariants` returns every
 * violation it finds (empty = all hold), so a unit test can feed it hand-made bad data.
 *
 * Row shapes follow adapters/mikro-orm/{orders,inventory,payment}/*-records.ts: statuses are
 * the stored lower-case strings, money is integer minor units.
 */

export interface OrderRow {
  readonly tenantId: string;
  readonly orderId: string;
  /** pending | confirmed | shipped | delivered | cancelling | cancelled */
  readonly status: string;
  readonly sagaState: string;
  readonly totalMinor: number;
  readonly currency: string;
  readonly placedAt: Date;
  /** When the current saga step times out; null once final. */
  readonly deadlineAt: Date | null;
}

export interface ReservationRow {
  readonly tenantId: string;
  readonly orderId: string;
  /** reserved | committed | released | expired | rejected | restocked */
  readonly status: string;
  readonly lines: readonly { readonly sku: string; readonly locationId: string; readonly quantity: number }[];
}

export interface MovementRow {
  readonly tenantId: string;
  readonly sku: string;
  readonly locationId: string;
  /** adjustment | reserved | released | expired | committed | restocked */
  readonly kind: string;
  readonly onHandDelta: number;
  readonly reservedDelta: number;
  readonly orderId: string | null;
}

export interface StockRow {
  readonly tenantId: string;
  readonly sku: string;
  readonly locationId: string;
  readonly onHand: number;
  readonly reserved: number;
}

export interface PaymentRow {
  readonly tenantId: string;
  readonly orderId: string;
  readonly paymentId: string;
  /** processing | succeeded | failed | partially_refunded | refunded */
  readonly status: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly refunds: readonly { readonly amountMinor: number; readonly status: string }[];
}

export interface CheckoutSnapshot {
  readonly orders: readonly OrderRow[];
  readonly reservations: readonly ReservationRow[];
  readonly movements: readonly MovementRow[];
  readonly stock: readonly StockRow[];
  readonly payments: readonly PaymentRow[];
}

export interface Violation {
  /** `tenant/order` or `tenant/sku@location` */
  readonly subject: string;
  readonly rule: string;
  readonly detail: string;
}

const CONFIRMED_OR_LATER = new Set(["confirmed", "shipped", "delivered"]);
const FINAL = new Set([...CONFIRMED_OR_LATER, "cancelled"]);

/**
 * Checks every order of the snapshot, and every stock row against its ledger and the open
 * reservations. `now` is the check time: an order still PENDING/CANCELLING at `now` is a
 * violation when `now` is past `settleBy` (the run's deadline) or past the order's own deadline
 * plus `graceMs` (the sweeper's interval and a little).
 */
export function checkCheckoutInvariants(
  snapshot: CheckoutSnapshot,
  options: { readonly now: Date; readonly settleBy?: Date; readonly graceMs?: number },
): Violation[] {
  const violations: Violation[] = [];
  const key = (tenantId: string, orderId: string) => `${tenantId}/${orderId}`;
  const reservations = groupBy(snapshot.reservations, (r) => key(r.tenantId, r.orderId));
  const payments = groupBy(snapshot.payments, (p) => key(p.tenantId, p.orderId));
  const movements = groupBy(
    snapshot.movements.filter((m) => m.orderId !== null),
    (m) => key(m.tenantId, m.orderId ?? ""),
  );
  const graceMs = options.graceMs ?? 5_000;

  for (const order of snapshot.orders) {
    const subject = key(order.tenantId, order.orderId);
    const add = (rule: string, detail: string) => violations.push({ subject, rule, detail });
    const orderReservations = reservations.get(subject) ?? [];
    const orderPayments = payments.get(subject) ?? [];
    const orderMovements = movements.get(subject) ?? [];
    const reservation = orderReservations[0];
    if (orderReservations.length > 1) add("stock.one-reservation", `${orderReservations.length} reservations`);
    if (orderPayments.length > 1) add("money.one-payment", `${orderPayments.length} payments`);
    const sum = (kind: string, field: "onHandDelta" | "reservedDelta") =>
      orderMovements.filter((m) => m.kind === kind).reduce((total, m) => total + m[field], 0);
    const reservedQuantity = reservation ? reservation.lines.reduce((total, l) => total + l.quantity, 0) : 0;
    const reservedMoved = sum("reserved", "reservedDelta");
    const committedMoved = -sum("committed", "onHandDelta");
    const releasedMoved = -sum("released", "reservedDelta") - sum("expired", "reservedDelta");
    // A committed line leaves "reserved" by its commit; a cancelled confirmed order gets it back on hand by a restock.
    const unreservedByCommit = -sum("committed", "reservedDelta");
    const restockedMoved = sum("restocked", "onHandDelta");

    if (!FINAL.has(order.status)) {
      const pastRun = options.settleBy !== undefined && options.now > options.settleBy;
      const pastOwn = order.deadlineAt !== null && options.now.getTime() > order.deadlineAt.getTime() + graceMs;
      if (pastRun || pastOwn) {
        add(
          "saga.final-by-deadline",
          `still ${order.status} (${order.sagaState}) at ${options.now.toISOString()}; ` +
            `own deadline ${order.deadlineAt?.toISOString() ?? "none"}, run deadline ${options.settleBy?.toISOString() ?? "none"}`,
        );
      }
      continue;
    }

    if (CONFIRMED_OR_LATER.has(order.status)) {
      // Stock: its reservation committed, exactly once.
      if (!reservation) add("stock.committed-once", "no reservation");
      else if (reservation.status !== "committed") add("stock.committed-once", `reservation is ${reservation.status}`);
      if (reservation && reservedMoved !== reservedQuantity)
        add("stock.committed-once", `reserved ${reservedMoved} in the ledger for a reservation of ${reservedQuantity}`);
      if (committedMoved !== reservedQuantity)
        add("stock.committed-once", `committed ${committedMoved} in the ledger for a reservation of ${reservedQuantity}`);
      if (releasedMoved !== 0) add("stock.committed-once", `released ${releasedMoved} of a confirmed order's stock`);
      // Money: exactly one succeeded charge of the total, not refunded.
      const payment = orderPayments[0];
      if (!payment) add("money.charged-once", "no payment");
      else {
        if (payment.status !== "succeeded") add("money.charged-once", `payment ${payment.paymentId} is ${payment.status}`);
        if (payment.amountMinor !== order.totalMinor || payment.currency !== order.currency)
          add(
            "money.charged-once",
            `charged ${payment.amountMinor} ${payment.currency}, order total ${order.totalMinor} ${order.currency}`,
          );
        const refunded = succeededRefunds(payment);
        if (refunded !== 0) add("money.charged-once", `refunded ${refunded} of a confirmed order`);
      }
      continue;
    }

    // CANCELLED: stock released or never reserved; no charge or fully refunded.
    if (reservation && (reservation.status === "reserved" || reservation.status === "committed"))
      add("stock.released", `reservation is still ${reservation.status}`);
    if (committedMoved !== restockedMoved)
      add("stock.released", `committed ${committedMoved} but restocked ${restockedMoved} for a cancelled order`);
    if (reservedMoved !== releasedMoved + unreservedByCommit)
      add("stock.released", `reserved ${reservedMoved} but released ${releasedMoved + unreservedByCommit} in the ledger`);
    const payment = orderPayments[0];
    if (payment) {
      if (payment.status === "processing") add("money.not-kept", `payment ${payment.paymentId} still processing`);
      else if (payment.status !== "failed") {
        const refunded = succeededRefunds(payment);
        if (refunded !== payment.amountMinor)
          add(
            "money.not-kept",
            `payment ${payment.paymentId} ${payment.status}: charged ${payment.amountMinor}, refunded ${refunded}`,
          );
      }
    }
  }

  // Orders the other databases know of but orders does not (a reservation or charge with no order).
  const known = new Set(snapshot.orders.map((o) => key(o.tenantId, o.orderId)));
  for (const r of snapshot.reservations) {
    const subject = key(r.tenantId, r.orderId);
    if (!known.has(subject) && (r.status === "reserved" || r.status === "committed"))
      violations.push({ subject, rule: "stock.orphan", detail: `reservation ${r.status} with no order` });
  }
  for (const p of snapshot.payments) {
    const subject = key(p.tenantId, p.orderId);
    if (!known.has(subject) && p.status !== "failed" && succeededRefunds(p) !== p.amountMinor)
      violations.push({ subject, rule: "money.orphan", detail: `payment ${p.paymentId} ${p.status} with no order` });
  }

  // Stock rows: within bounds, equal to their ledger, reserved = what open reservations hold.
  const ledger = groupBy(snapshot.movements, (m) => `${m.tenantId}/${m.sku}@${m.locationId}`);
  const held = new Map<string, number>();
  for (const r of snapshot.reservations) {
    if (r.status !== "reserved") continue;
    for (const line of r.lines) {
      const at = `${r.tenantId}/${line.sku}@${line.locationId}`;
      held.set(at, (held.get(at) ?? 0) + line.quantity);
    }
  }
  for (const row of snapshot.stock) {
    const subject = `${row.tenantId}/${row.sku}@${row.locationId}`;
    const add = (rule: string, detail: string) => violations.push({ subject, rule, detail });
    if (row.reserved < 0 || row.reserved > row.onHand) add("stock.bounds", `on hand ${row.onHand}, reserved ${row.reserved}`);
    const moves = ledger.get(subject) ?? [];
    const onHand = moves.reduce((total, m) => total + m.onHandDelta, 0);
    const reserved = moves.reduce((total, m) => total + m.reservedDelta, 0);
    if (onHand !== row.onHand || reserved !== row.reserved)
      add("stock.ledger", `row says ${row.onHand} on hand / ${row.reserved} reserved, ledger sums ${onHand} / ${reserved}`);
    const open = held.get(subject) ?? 0;
    if (open !== row.reserved)
      add("stock.reserved-by-open-reservations", `row reserves ${row.reserved}, open reservations hold ${open}`);
  }
  return violations;
}

function succeededRefunds(payment: PaymentRow): number {
  return payment.refunds.filter((r) => r.status === "succeeded").reduce((total, r) => total + r.amountMinor, 0);
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** One line per violation, for an assertion message or the bench's verdict. */
export function describeViolations(violations: readonly Violation[]): string {
  if (violations.length === 0) return "OK: every invariant holds";
  return violations.map((v) => `${v.rule} ${v.subject}: ${v.detail}`).join("\n");
}
