import type { Money } from "../kit/money.ts";

/** Where an order stands, as the customer sees it. */
export type OrderStatus = "pending" | "confirmed" | "shipped" | "delivered" | "cancelling" | "cancelled";

/**
 * Where the checkout saga stands: finer than the status while PENDING. Persisted with the order;
 * every transition in order-saga.ts is guarded by it.
 */
export type SagaState =
  | "awaiting_stock"
  | "payment_requested"
  | "awaiting_payment"
  | "confirmed"
  | "shipped"
  | "delivered"
  | "cancelling"
  | "cancelled";

/** The money side of the order: what the saga knows about its charge and refund. */
export type PaymentState = "none" | "requested" | "processing" | "succeeded" | "failed" | "refund_due" | "refunded";

export type CancellationReason = "out_of_stock" | "payment_declined" | "customer_requested" | "admin_requested" | "timed_out";

export type TimelineStep =
  | "placed"
  | "stock_reserved"
  | "stock_rejected"
  | "payment_requested"
  | "payment_succeeded"
  | "payment_failed"
  | "confirmed"
  | "cancellation_requested"
  | "stock_released"
  | "refund_requested"
  | "refunded"
  | "cancelled"
  | "timed_out"
  | "shipped"
  | "delivered";

export interface TimelineEntry {
  readonly step: TimelineStep;
  readonly at: Date;
  readonly detail: string;
}

export interface PostalAddress {
  readonly recipientName: string;
  readonly addressLines: readonly string[];
  readonly locality: string;
  readonly administrativeArea: string;
  readonly postalCode: string;
  readonly countryCode: string;
  readonly phoneNumber: string;
}

export interface OrderLine {
  readonly sku: string;
  readonly productId: string;
  readonly productName: string;
  readonly quantity: number;
  readonly unitPrice: Money;
  readonly lineSubtotal: Money;
  readonly lineDiscount: Money;
  readonly lineTax: Money;
  readonly lineTotal: Money;
}

export interface OrderTotals {
  readonly subtotal: Money;
  readonly discountTotal: Money;
  readonly taxTotal: Money;
  readonly total: Money;
}

/** An order with its saga. Plain data; transitions are in order-saga.ts. */
export interface Order {
  readonly id: string;
  readonly userId: string;
  readonly state: SagaState;
  readonly cancellationReason: CancellationReason | undefined;
  readonly payment: PaymentState;
  /** Inventory told us it holds stock for this order (InventoryReserved) and has not given it back. */
  readonly stockHeld: boolean;
  readonly lines: readonly OrderLine[];
  readonly promotionCodes: readonly string[];
  readonly totals: OrderTotals;
  readonly shippingAddress: PostalAddress;
  readonly cartId: string;
  readonly cartVersion: number;
  /** The provider token PlaceOrder was given: charged by the saga, never logged, never returned. */
  readonly paymentMethodToken: string;
  readonly idempotencyKey: string;
  readonly paymentId: string | undefined;
  readonly shipmentId: string | undefined;
  readonly placedAt: Date;
  readonly updatedAt: Date;
  /** When the current saga step times out; undefined once final (or CONFIRMED and beyond). */
  readonly deadlineAt: Date | undefined;
  /** The payment worker holds the order until then (charge or refund in flight). */
  readonly leaseUntil: Date | undefined;
  /** Bumped by every save (optimistic concurrency). */
  readonly version: number;
}

export function statusOf(state: SagaState): OrderStatus {
  switch (state) {
    case "awaiting_stock":
    case "payment_requested":
    case "awaiting_payment":
      return "pending";
    default:
      return state;
  }
}

/** Whether the payment worker has something to do: charge (or ask again about a charge), or refund. */
export function needsPaymentWork(order: Order): boolean {
  if (order.payment === "refund_due") return true;
  // A charge the provider has not settled yet is asked about again (never charged again).
  if (order.state === "cancelling" && order.payment === "processing") return true;
  return (
    (order.state === "payment_requested" || order.state === "awaiting_payment") &&
    (order.payment === "requested" || order.payment === "processing")
  );
}

export function isFinal(order: Order): boolean {
  return order.state === "cancelled" || order.state === "delivered";
}

export function itemCount(order: Order): number {
  return order.lines.reduce((sum, line) => sum + line.quantity, 0);
}

/** The refund idempotency key of an order's cancellation (payment dedupes on it). */
export function refundKeyOf(orderId: string): string {
  return `${orderId}:cancel`;
}
