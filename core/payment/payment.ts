import { failedPrecondition } from "../kit/domain-error.ts";
import { type Money, money } from "../kit/money.ts";

export type PaymentStatus = "processing" | "succeeded" | "failed" | "partially_refunded" | "refunded";
export type FailureReason = "declined" | "payment_method_invalid" | "provider_unavailable";
export type RefundReason = "order_cancelled" | "customer_request" | "duplicate";
export type RefundStatus = "pending" | "succeeded" | "failed";

/** A refund of (part of) a payment; `idempotencyKey` is the caller's, unique within the payment. */
export interface Refund {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly amount: Money;
  readonly status: RefundStatus;
  readonly reason: RefundReason;
  readonly providerReference: string | undefined;
  readonly createdAt: Date;
}

/**
 * The charge of one order (one per tenant and order). Payment data is the provider's token and
 * references only: never a card number, CVC or expiry. `version` counts stored changes
 * (optimistic concurrency); `resolveLeaseUntil` keeps two resolvers off one PROCESSING payment.
 */
export interface Payment {
  readonly id: string;
  readonly orderId: string;
  readonly userId: string;
  readonly status: PaymentStatus;
  readonly amount: Money;
  readonly paymentMethodToken: string;
  readonly provider: string;
  readonly providerReference: string | undefined;
  readonly failureReason: FailureReason | undefined;
  readonly failureCode: string | undefined;
  readonly refunds: readonly Refund[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
  readonly resolveLeaseUntil: Date | undefined;
}

export function startPayment(input: {
  id: string;
  orderId: string;
  userId: string;
  amount: Money;
  paymentMethodToken: string;
  provider: string;
  at: Date;
}): Payment {
  return {
    id: input.id,
    orderId: input.orderId,
    userId: input.userId,
    status: "processing",
    amount: input.amount,
    paymentMethodToken: input.paymentMethodToken,
    provider: input.provider,
    providerReference: undefined,
    failureReason: undefined,
    failureCode: undefined,
    refunds: [],
    createdAt: input.at,
    updatedAt: input.at,
    version: 1,
    resolveLeaseUntil: undefined,
  };
}

/** PROCESSING -> SUCCEEDED; already SUCCEEDED (or refunded since) is a no-op (undefined). */
export function markSucceeded(p: Payment, providerReference: string, at: Date): Payment | undefined {
  if (p.status !== "processing") {
    if (p.status === "failed")
      throw failedPrecondition("PAYMENT.ALREADY_FAILED", `payment ${p.id} is FAILED; the provider now says charged`);
    return undefined;
  }
  return { ...p, status: "succeeded", providerReference, updatedAt: at, version: p.version + 1, resolveLeaseUntil: undefined };
}

/** PROCESSING -> FAILED; already FAILED is a no-op (undefined). */
export function markFailed(
  p: Payment,
  failure: { reason: FailureReason; code: string | undefined; providerReference: string | undefined },
  at: Date,
): Payment | undefined {
  if (p.status !== "processing") {
    if (p.status === "failed") return undefined;
    throw failedPrecondition("PAYMENT.ALREADY_CHARGED", `payment ${p.id} is charged; the provider now says failed`);
  }
  return {
    ...p,
    status: "failed",
    failureReason: failure.reason,
    failureCode: failure.code || undefined,
    providerReference: failure.providerReference ?? p.providerReference,
    updatedAt: at,
    version: p.version + 1,
    resolveLeaseUntil: undefined,
  };
}

/** Sum of the succeeded refunds. */
export function refundedAmount(p: Payment): Money {
  const sum = p.refunds.filter((r) => r.status === "succeeded").reduce((total, r) => total + r.amount.amountMinor, 0);
  return money(sum, p.amount.currency);
}

/** What may still be refunded: the amount less succeeded and pending refunds. */
export function refundableAmount(p: Payment): number {
  const held = p.refunds.filter((r) => r.status !== "failed").reduce((total, r) => total + r.amount.amountMinor, 0);
  return p.amount.amountMinor - held;
}

/** Adds a PENDING refund; only SUCCEEDED / PARTIALLY_REFUNDED payments, never above what remains. */
export function addRefund(
  p: Payment,
  refund: { id: string; idempotencyKey: string; amountMinor: number | undefined; reason: RefundReason },
  at: Date,
): { payment: Payment; refund: Refund } {
  if (p.status !== "succeeded" && p.status !== "partially_refunded") {
    throw failedPrecondition(
      "PAYMENT.NOT_REFUNDABLE",
      `payment ${p.id} is ${p.status.toUpperCase()}: only a charged payment is refunded`,
    );
  }
  const remaining = refundableAmount(p);
  const amountMinor = refund.amountMinor ?? remaining;
  if (amountMinor <= 0 || amountMinor > remaining) {
    throw failedPrecondition("PAYMENT.REFUND_EXCEEDS_REMAINING", `refund of ${amountMinor} exceeds the ${remaining} that remain`);
  }
  const added: Refund = {
    id: refund.id,
    idempotencyKey: refund.idempotencyKey,
    amount: money(amountMinor, p.amount.currency),
    status: "pending",
    reason: refund.reason,
    providerReference: undefined,
    createdAt: at,
  };
  return { payment: { ...p, refunds: [...p.refunds, added], updatedAt: at, version: p.version + 1 }, refund: added };
}

/** Settles a PENDING refund; the payment becomes PARTIALLY_REFUNDED or REFUNDED when it succeeded. */
export function settleRefund(
  p: Payment,
  refundId: string,
  outcome: { status: "succeeded" | "failed"; providerReference: string | undefined },
  at: Date,
): { payment: Payment; refund: Refund } | undefined {
  const current = p.refunds.find((r) => r.id === refundId);
  if (current?.status !== "pending") return undefined;
  const settled: Refund = { ...current, status: outcome.status, providerReference: outcome.providerReference };
  const refunds = p.refunds.map((r) => (r.id === refundId ? settled : r));
  const next: Payment = { ...p, refunds, updatedAt: at, version: p.version + 1 };
  const refunded = refundedAmount(next).amountMinor;
  const status: PaymentStatus = refunded === 0 ? p.status : refunded >= p.amount.amountMinor ? "refunded" : "partially_refunded";
  return { payment: { ...next, status }, refund: settled };
}
