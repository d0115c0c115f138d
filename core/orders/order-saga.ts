import type { OrderEvent } from "./order-events.ts";
import type { CancellationReason, Order, PaymentState, SagaState, TimelineEntry, TimelineStep } from "./order.ts";

/** How long each saga step may take before the sweeper compensates (TIMED_OUT). */
export interface SagaDeadlines {
  /** PENDING, waiting for InventoryReserved / InventoryRejected. */
  readonly reservationMs: number;
  /** PENDING, stock held, waiting for the charge's outcome. */
  readonly paymentMs: number;
  /** CANCELLING, waiting for the stock release and the refund. */
  readonly cancellationMs: number;
}

export const DEFAULT_SAGA_DEADLINES: SagaDeadlines = {
  reservationMs: 60_000,
  paymentMs: 5 * 60_000,
  cancellationMs: 10 * 60_000,
};

/** What can happen to an order's saga: events from other contexts, answers of our own calls, people, time. */
export type SagaEvent =
  | { readonly type: "InventoryReserved"; readonly detail?: string }
  | { readonly type: "InventoryRejected"; readonly detail: string }
  | { readonly type: "InventoryReleased"; readonly detail?: string }
  | {
      readonly type: "ChargeAnswered";
      readonly outcome: "succeeded" | "failed" | "processing";
      readonly paymentId: string;
      readonly detail?: string;
    }
  | { readonly type: "PaymentSucceeded"; readonly paymentId: string }
  | { readonly type: "PaymentFailed"; readonly paymentId: string; readonly detail: string }
  | { readonly type: "Refunded"; readonly paymentId?: string; readonly detail?: string }
  | { readonly type: "CancelRequested"; readonly by: "customer" | "admin"; readonly note: string }
  | { readonly type: "DeadlinePassed" }
  | { readonly type: "ShipmentCreated"; readonly shipmentId: string }
  | { readonly type: "Shipped"; readonly shipmentId: string; readonly detail: string }
  | { readonly type: "Delivered"; readonly shipmentId: string };

export type SagaOutcome =
  | { readonly kind: "unchanged" }
  | { readonly kind: "refused"; readonly code: string; readonly message: string }
  | {
      readonly kind: "changed";
      readonly order: Order;
      /** New timeline entries, oldest first. */
      readonly timeline: readonly TimelineEntry[];
      /** Integration events to publish with the change (outbox). */
      readonly events: readonly OrderEvent[];
    };

const UNCHANGED: SagaOutcome = { kind: "unchanged" };

/**
 * The checkout saga as a pure function: (order, event, now) -> the new order with its timeline
 * entries and events, or `unchanged`. Every case is guarded by the current state, so a
 * duplicate or late event changes nothing; the only refusal is a cancellation once shipped.
 * The table of transitions is in docs/orders.md.
 */
export function transition(order: Order, event: SagaEvent, now: Date, deadlines: SagaDeadlines): SagaOutcome {
  const b = new Builder(order, now);
  const pending = order.state === "awaiting_stock" || order.state === "payment_requested" || order.state === "awaiting_payment";
  const paying = order.state === "payment_requested" || order.state === "awaiting_payment";
  switch (event.type) {
    case "InventoryReserved": {
      if (order.state !== "awaiting_stock") return UNCHANGED;
      b.set({ stockHeld: true, payment: "requested" }).log("stock_reserved", event.detail ?? "");
      b.log("payment_requested", "");
      return b.to("payment_requested", now.getTime() + deadlines.paymentMs);
    }
    case "InventoryRejected": {
      if (order.state !== "awaiting_stock") return UNCHANGED;
      b.log("stock_rejected", event.detail);
      return b.cancel("out_of_stock", deadlines, "");
    }
    case "InventoryReleased": {
      if (!order.stockHeld) return UNCHANGED;
      b.set({ stockHeld: false }).log("stock_released", event.detail ?? "");
      // The hold lapsed before the payment settled: the saga cannot confirm without stock.
      if (paying) return b.cancel("timed_out", deadlines, "stock hold expired before payment");
      if (order.state === "cancelling") return b.settleCancellation();
      return b.changed();
    }
    case "ChargeAnswered": {
      if (event.outcome === "processing") {
        if (order.state !== "payment_requested" || order.payment !== "requested") return UNCHANGED;
        b.set({ payment: "processing", paymentId: event.paymentId });
        return b.to("awaiting_payment", order.deadlineAt?.getTime());
      }
      if (event.outcome === "succeeded") return succeeded(b, order, event.paymentId, paying);
      return failed(b, order, event.paymentId, event.detail ?? "", paying, deadlines);
    }
    case "PaymentSucceeded":
      return succeeded(b, order, event.paymentId, paying);
    case "PaymentFailed":
      return failed(b, order, event.paymentId, event.detail, paying, deadlines);
    case "Refunded": {
      if (order.payment !== "refund_due") return UNCHANGED;
      b.set({ payment: "refunded", ...(event.paymentId ? { paymentId: event.paymentId } : {}) }).log(
        "refunded",
        event.detail ?? "",
      );
      if (order.state === "cancelling") return b.settleCancellation();
      return b.changed();
    }
    case "CancelRequested": {
      if (order.state === "cancelling" || order.state === "cancelled") return UNCHANGED;
      if (order.state === "shipped" || order.state === "delivered") {
        return { kind: "refused", code: "ORDER.ALREADY_SHIPPED", message: `order ${order.id} is ${order.state}` };
      }
      b.log("cancellation_requested", `by the ${event.by}${event.note ? `: ${event.note}` : ""}`);
      return b.cancel(event.by === "customer" ? "customer_requested" : "admin_requested", deadlines, "");
    }
    case "DeadlinePassed": {
      if (!order.deadlineAt || order.deadlineAt.getTime() > now.getTime()) return UNCHANGED;
      if (pending) {
        b.log("timed_out", order.state === "awaiting_stock" ? "no answer from inventory" : "no answer from payment");
        return b.cancel("timed_out", deadlines, "");
      }
      if (order.state === "cancelling") {
        // Compensations unconfirmed: inventory's own hold expiry frees the stock; a refund still due stays due.
        b.log(
          "timed_out",
          order.stockHeld ? "stock release not confirmed; the hold expires in inventory" : "refund not confirmed",
        );
        return b.finishCancelled();
      }
      return UNCHANGED;
    }
    case "ShipmentCreated": {
      if (order.shipmentId === event.shipmentId || order.state !== "confirmed") return UNCHANGED;
      return b.set({ shipmentId: event.shipmentId }).changed();
    }
    case "Shipped": {
      if (order.state !== "confirmed") return UNCHANGED;
      b.set({ shipmentId: event.shipmentId }).log("shipped", event.detail);
      return b.to("shipped", undefined);
    }
    case "Delivered": {
      if (order.state !== "confirmed" && order.state !== "shipped") return UNCHANGED;
      b.set({ shipmentId: event.shipmentId }).log("delivered", "");
      return b.to("delivered", undefined);
    }
  }
}

function succeeded(b: Builder, order: Order, paymentId: string, paying: boolean): SagaOutcome {
  if (paying) {
    b.set({ payment: "succeeded", paymentId }).log("payment_succeeded", "").log("confirmed", "");
    b.emit({ type: "OrderConfirmed", order: b.order });
    return b.to("confirmed", undefined);
  }
  // Money taken after the saga gave up (cancelled meanwhile, or timed out): give it back.
  if (
    (order.state === "cancelling" || order.state === "cancelled") &&
    (order.payment === "requested" || order.payment === "processing")
  ) {
    b.set({ payment: "refund_due", paymentId }).log("payment_succeeded", "after cancellation").log("refund_requested", "");
    return b.changed();
  }
  return UNCHANGED;
}

function failed(
  b: Builder,
  order: Order,
  paymentId: string,
  detail: string,
  paying: boolean,
  deadlines: SagaDeadlines,
): SagaOutcome {
  if (paying) {
    b.set({ payment: "failed", paymentId }).log("payment_failed", detail);
    return b.cancel("payment_declined", deadlines, "");
  }
  if (
    (order.state === "cancelling" || order.state === "cancelled") &&
    (order.payment === "requested" || order.payment === "processing")
  ) {
    b.set({ payment: "failed", paymentId }).log("payment_failed", detail);
    return order.state === "cancelling" ? b.settleCancellation() : b.changed();
  }
  return UNCHANGED;
}

/** Accumulates one transition. */
class Builder {
  order: Order;
  readonly #now: Date;
  readonly #timeline: TimelineEntry[] = [];
  readonly #events: OrderEvent[] = [];

  constructor(order: Order, now: Date) {
    this.order = order;
    this.#now = now;
  }

  set(changes: Partial<Order>): this {
    this.order = { ...this.order, ...changes };
    return this;
  }

  log(step: TimelineStep, detail: string): this {
    this.#timeline.push({ step, at: this.#now, detail });
    return this;
  }

  emit(event: OrderEvent): this {
    this.#events.push(event);
    return this;
  }

  to(state: SagaState, deadlineMs: number | undefined): SagaOutcome {
    this.order = { ...this.order, state, deadlineAt: deadlineMs === undefined ? undefined : new Date(deadlineMs) };
    return this.changed();
  }

  /**
   * Decides a cancellation: CANCELLING with OrderCancelled (inventory releases the stock; a
   * charge taken is refunded), then CANCELLED at once when nothing remains to wait for.
   */
  cancel(reason: CancellationReason, deadlines: SagaDeadlines, detail: string): SagaOutcome {
    const payment: PaymentState = this.order.payment === "succeeded" ? "refund_due" : this.order.payment;
    const refundDue = payment === "refund_due";
    // Before confirmation inventory holds a reservation it will release on OrderCancelled;
    // once confirmed it has committed the sale and there is no hold to wait for.
    const stockHeld = this.order.state === "confirmed" ? false : this.order.stockHeld;
    this.set({ cancellationReason: reason, payment, stockHeld });
    if (refundDue) this.log("refund_requested", detail);
    this.order = { ...this.order, state: "cancelling", deadlineAt: new Date(this.#now.getTime() + deadlines.cancellationMs) };
    this.#events.push({ type: "OrderCancelled", order: this.order, refundDue });
    return this.settleCancellation();
  }

  /** CANCELLING becomes CANCELLED once the stock is back and no refund is outstanding. */
  settleCancellation(): SagaOutcome {
    const waiting = this.order.stockHeld || this.order.payment === "refund_due" || this.order.payment === "processing";
    if (this.order.state === "cancelling" && !waiting) return this.finishCancelled();
    return this.changed();
  }

  finishCancelled(): SagaOutcome {
    this.log("cancelled", "");
    this.order = { ...this.order, state: "cancelled", deadlineAt: undefined };
    return this.changed();
  }

  changed(): SagaOutcome {
    const order = { ...this.order, updatedAt: this.#now };
    // Events carry the order as it ends up.
    const events = this.#events.map((e) => ({ ...e, order }));
    return { kind: "changed", order, timeline: this.#timeline, events };
  }
}
