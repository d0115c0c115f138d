import { containsCardNumber } from "../kit/card-number.ts";
import { conflict, failedPrecondition, invalidField, isDomainError, notFound, unavailable } from "../kit/domain-error.ts";
import type { Money } from "../kit/money.ts";
import { hasRole, type RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import { requireServiceOrTenantAdmin, requireTenantAdmin } from "./payment-access.ts";
import { type PaymentDeps, pageSizeOf } from "./payment-deps.ts";
import type { PaymentEvent } from "./payment-events.ts";
import type { ProviderLookup } from "./payment-provider.ts";
import type { Page } from "./payment-repository.ts";
import {
  addRefund,
  markFailed,
  markSucceeded,
  type Payment,
  type PaymentStatus,
  type Refund,
  type RefundReason,
  settleRefund,
  startPayment,
} from "./payment.ts";

export interface ChargeInput {
  readonly orderId: string;
  readonly userId: string;
  readonly amount: Money;
  readonly paymentMethodToken: string;
}

/**
 * Charges an order once. The payment row is stored PROCESSING first (unique per tenant and
 * order), so a crash or a timeout leaves a record to resolve; then the provider is called with
 * the payment id as idempotency key. Its answer settles the payment (with PaymentSucceeded or
 * PaymentFailed in the same transaction); no answer leaves it PROCESSING for the resolver.
 * A second Charge of the order returns the payment as it stands and never charges again (a
 * PROCESSING one past the grace period is first looked up at the provider, as the resolver
 * does); with another amount, token or user it is FAILED_PRECONDITION.
 */
export async function charge(deps: PaymentDeps, ctx: RequestContext, input: ChargeInput): Promise<Payment> {
  requireServiceOrTenantAdmin(ctx);
  if (!input.paymentMethodToken) throw invalidField("payment_method_token", "required");
  if (containsCardNumber(input.paymentMethodToken)) {
    // The value is never echoed: not in the message, not in a log line.
    throw invalidField("payment_method_token", "must be a provider token, never a card number");
  }
  if (input.amount.amountMinor <= 0) throw invalidField("amount", "must be positive");
  const fresh = startPayment({
    id: deps.newId(),
    orderId: input.orderId,
    userId: input.userId,
    amount: input.amount,
    paymentMethodToken: input.paymentMethodToken,
    provider: deps.provider.name,
    at: deps.clock.now(),
  });
  const { inserted, payment } = await deps.payments.insertOrGet(ctx, fresh);
  if (!inserted) {
    const same =
      payment.amount.amountMinor === input.amount.amountMinor &&
      payment.amount.currency === input.amount.currency &&
      payment.paymentMethodToken === input.paymentMethodToken &&
      payment.userId === input.userId;
    if (!same) {
      throw failedPrecondition(
        "PAYMENT.ORDER_ALREADY_CHARGED",
        `order ${input.orderId} already has a payment with another amount, token or user`,
      );
    }
    // A replay of a payment left PROCESSING past the grace period asks the provider (never charges).
    if (
      payment.status === "processing" &&
      deps.clock.now().getTime() - payment.updatedAt.getTime() >= deps.policy.resolveAfterMs
    ) {
      const answer = await deps.provider.retrieve(
        { reference: payment.providerReference, idempotencyKey: payment.id },
        ctx.signal,
      );
      return settle(deps, ctx, payment, answer);
    }
    return payment;
  }
  const answer = await deps.provider.createAndConfirm(
    {
      amount: payment.amount,
      token: payment.paymentMethodToken,
      idempotencyKey: payment.id,
      metadata: { tenantId: ctx.tenantId, orderId: payment.orderId, paymentId: payment.id },
    },
    ctx.signal,
  );
  return settle(deps, ctx, payment, answer);
}

/**
 * Applies what the provider says to a payment: SUCCEEDED or FAILED with its event, or nothing
 * while the outcome is not known. Idempotent: a payment already settled the same way stays as
 * it is. When another writer (a webhook, the resolver) got there first, the stored payment wins.
 */
export async function settle(deps: PaymentDeps, ctx: RequestContext, payment: Payment, answer: ProviderLookup): Promise<Payment> {
  const at = deps.clock.now();
  let next: Payment | undefined;
  let event: PaymentEvent["type"];
  switch (answer.status) {
    case "succeeded":
      next = markSucceeded(payment, answer.reference, at);
      event = "PaymentSucceeded";
      break;
    case "failed":
      next = markFailed(payment, { reason: answer.reason, code: answer.code, providerReference: answer.reference }, at);
      event = "PaymentFailed";
      break;
    case "not_found":
      next = markFailed(payment, { reason: "provider_unavailable", code: undefined, providerReference: undefined }, at);
      event = "PaymentFailed";
      break;
    case "processing":
    case "unknown":
      return payment;
  }
  if (!next) return payment;
  try {
    await deps.payments.save(ctx, next, [{ type: event, payment: next }]);
    return next;
  } catch (error) {
    if (!isDomainError(error) || error.kind !== "conflict") throw error;
    const stored = await deps.payments.findById(ctx.tenantId, payment.id);
    if (!stored) throw error;
    return stored.status === "processing" ? settle(deps, ctx, stored, answer) : stored;
  }
}

/**
 * The provider's word on a payment arriving on its own (a signed webhook): settles a PROCESSING
 * payment, leaves a settled one alone, and refuses (FAILED_PRECONDITION `PAYMENT.ALREADY_FAILED`)
 * a charge reported for a payment that is FAILED. Undefined when the tenant has no such payment.
 */
export async function applyProviderUpdate(
  deps: PaymentDeps,
  ctx: RequestContext,
  update: { paymentId: string; answer: ProviderLookup },
): Promise<Payment | undefined> {
  const payment = await deps.payments.findById(ctx.tenantId, update.paymentId);
  if (!payment) return undefined;
  if (payment.status === "processing") return settle(deps, ctx, payment, update.answer);
  if (payment.status === "failed" && update.answer.status === "succeeded") {
    // Ours says not charged, the provider says charged: never flipped silently; a human refunds.
    throw failedPrecondition("PAYMENT.ALREADY_FAILED", `payment ${payment.id} is FAILED; the provider says charged`);
  }
  return payment;
}

/**
 * Resolves PROCESSING payments nobody has heard about for `policy.resolveAfterMs`: asks the
 * provider by idempotency key (never charges again) and settles what it says. "Never seen" is
 * FAILED (PROVIDER_UNAVAILABLE): nothing was charged. Still unknown: tried again after the lease.
 * Returns how many were settled.
 */
export async function resolveUnresolved(
  deps: PaymentDeps,
  options: { limit: number; correlationId: string; signal: AbortSignal },
): Promise<number> {
  const now = deps.clock.now();
  const claimed = await deps.payments.claimUnresolved(
    now,
    new Date(now.getTime() - deps.policy.resolveAfterMs),
    new Date(now.getTime() + deps.policy.resolveLeaseMs),
    options.limit,
  );
  let settled = 0;
  for (const { tenantId, payment } of claimed) {
    if (options.signal.aborted) break;
    const ctx: RequestContext = { tenantId, caller: undefined, correlationId: options.correlationId, signal: options.signal };
    const answer = await deps.provider.retrieve(
      { reference: payment.providerReference, idempotencyKey: payment.id },
      options.signal,
    );
    const after = await settle(deps, ctx, payment, answer);
    if (after.status !== "processing") settled++;
  }
  return settled;
}

export interface RefundInput {
  readonly paymentId: string;
  /** Unset: everything that remains. */
  readonly amount: Money | undefined;
  readonly reason: RefundReason;
  readonly idempotencyKey: string;
}

/**
 * Refunds all or part of a charged payment, once per idempotency key: the refund is stored
 * PENDING, the provider is called with the refund id as its idempotency key, and its answer
 * settles the refund (PaymentRefunded in the same transaction). No answer from the provider is
 * UNAVAILABLE with the refund left PENDING; a retry with the same key returns the payment,
 * driving a refund still PENDING again (the provider dedupes it by the refund id).
 */
export async function refund(deps: PaymentDeps, ctx: RequestContext, input: RefundInput): Promise<Payment> {
  requireServiceOrTenantAdmin(ctx);
  for (let attempt = 1; ; attempt++) {
    const payment = await deps.payments.findById(ctx.tenantId, input.paymentId);
    if (!payment) throw notFound("payment", input.paymentId);
    if (input.amount && input.amount.currency !== payment.amount.currency) {
      throw invalidField("amount.currency", `must be the payment's currency ${payment.amount.currency}`);
    }
    const existing = payment.refunds.find((r) => r.idempotencyKey === input.idempotencyKey);
    if (existing) {
      if ((input.amount && input.amount.amountMinor !== existing.amount.amountMinor) || input.reason !== existing.reason) {
        throw failedPrecondition("PAYMENT.IDEMPOTENCY_KEY_REUSED", "this idempotency key was used for another refund");
      }
      return existing.status === "pending" ? driveRefund(deps, ctx, payment, existing) : payment;
    }
    const added = addRefund(
      payment,
      { id: deps.newId(), idempotencyKey: input.idempotencyKey, amountMinor: input.amount?.amountMinor, reason: input.reason },
      deps.clock.now(),
    );
    try {
      await deps.payments.save(ctx, added.payment, []);
    } catch (error) {
      if (isDomainError(error) && error.kind === "conflict" && attempt < 5) continue;
      throw error;
    }
    return driveRefund(deps, ctx, added.payment, added.refund);
  }
}

async function driveRefund(deps: PaymentDeps, ctx: RequestContext, payment: Payment, pending: Refund): Promise<Payment> {
  if (!payment.providerReference)
    throw conflict("PAYMENT.NO_PROVIDER_REFERENCE", `payment ${payment.id} has no provider reference`);
  const answer = await deps.provider.refund(
    { reference: payment.providerReference, amount: pending.amount, idempotencyKey: pending.id },
    ctx.signal,
  );
  if (answer.status === "unknown") {
    // The refund stays PENDING; the caller retries with the same key and the provider dedupes it.
    throw unavailable("PAYMENT.PROVIDER_UNAVAILABLE", "the provider did not answer: retry with the same idempotency key");
  }
  for (let current = payment, attempt = 1; ; attempt++) {
    const settled = settleRefund(
      current,
      pending.id,
      { status: answer.status, providerReference: answer.reference },
      deps.clock.now(),
    );
    if (!settled) return current;
    const events: PaymentEvent[] =
      answer.status === "succeeded" ? [{ type: "PaymentRefunded", payment: settled.payment, refund: settled.refund }] : [];
    try {
      await deps.payments.save(ctx, settled.payment, events);
      return settled.payment;
    } catch (error) {
      if (!isDomainError(error) || error.kind !== "conflict" || attempt >= 5) throw error;
      const stored = await deps.payments.findById(ctx.tenantId, payment.id);
      if (!stored) throw error;
      current = stored;
    }
  }
}

/** The paying user, a tenant admin, or an internal caller; anyone else sees NOT_FOUND. */
export async function getPayment(
  deps: PaymentDeps,
  ctx: RequestContext,
  lookup: { paymentId: string } | { orderId: string },
): Promise<Payment> {
  const payment =
    "paymentId" in lookup
      ? await deps.payments.findById(ctx.tenantId, lookup.paymentId)
      : await deps.payments.findByOrder(ctx.tenantId, lookup.orderId);
  const key = "paymentId" in lookup ? lookup.paymentId : lookup.orderId;
  if (!payment) throw notFound("payment", key);
  if (ctx.caller && ctx.caller.userId !== payment.userId && !hasRole(ctx, Roles.tenantAdmin)) throw notFound("payment", key);
  return payment;
}

/** The tenant's payments, newest first, optionally of one status. Tenant admin. */
export async function listPayments(
  deps: PaymentDeps,
  ctx: RequestContext,
  query: { status?: PaymentStatus; pageSize?: number; pageToken?: string },
): Promise<Page<Payment>> {
  requireTenantAdmin(ctx);
  return deps.payments.list(ctx.tenantId, {
    ...(query.status ? { status: query.status } : {}),
    pageSize: pageSizeOf(query.pageSize),
    ...(query.pageToken ? { pageToken: query.pageToken } : {}),
  });
}
