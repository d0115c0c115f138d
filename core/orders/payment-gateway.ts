import type { Money } from "../kit/money.ts";
import type { RequestContext } from "../kit/request-context.ts";

export interface ChargeRequest {
  readonly orderId: string;
  readonly userId: string;
  readonly amount: Money;
  readonly paymentMethodToken: string;
}

/** Payment's answer: a decline is an outcome; `processing` means the provider's answer is not known yet. */
export interface ChargeAnswer {
  readonly outcome: "succeeded" | "failed" | "processing";
  readonly paymentId: string;
  /** For `failed`: why, for people ("declined: insufficient_funds"). */
  readonly detail: string;
}

export interface RefundRequest {
  readonly orderId: string;
  readonly amount: Money;
  readonly idempotencyKey: string;
}

/**
 * PaymentService as the saga sees it: charge and refund by order id, both idempotent on the
 * payment side (one payment per order; refunds by idempotency key). Throws UNAVAILABLE when
 * payment cannot be asked (the worker tries again later).
 */
export interface PaymentGateway {
  charge(ctx: RequestContext, request: ChargeRequest): Promise<ChargeAnswer>;
  refund(ctx: RequestContext, request: RefundRequest): Promise<{ readonly paymentId: string }>;
}
