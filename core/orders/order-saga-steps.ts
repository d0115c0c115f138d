import { isDomainError } from "../kit/domain-error.ts";
import type { RequestContext, TenantId } from "../kit/request-context.ts";
import { needsPaymentWork, type Order, refundKeyOf } from "./order.ts";
import type { OrderDeps } from "./order-deps.ts";
import { type SagaEvent, transition } from "./order-saga.ts";
import type { OrderRef } from "./order-store.ts";
import { applyOutcome, nudgePaymentWork } from "./orders.ts";

/**
 * Feeds one event to an order's saga under the order's row lock. An order this tenant does not
 * have (another context's reservation, say) is ignored: undefined. A duplicate or late event
 * leaves the order as it is (the transition is guarded by the state). Once the transaction
 * committed a change that asks for a payment call (a charge after InventoryReserved, a refund),
 * the payment worker is nudged for this order (`deps.paymentWorkDue`).
 */
export async function applySagaEvent(
  deps: OrderDeps,
  ctx: RequestContext,
  orderId: string,
  event: SagaEvent,
  options: { releaseLease?: boolean } = {},
): Promise<Order | undefined> {
  let transitioned = false;
  const order = await deps.store.transaction(ctx, async (tx) => {
    transitioned = false; // the store may run `work` again (deadlock retry)
    const current = await tx.lock(orderId);
    if (!current) return undefined;
    const outcome = transition(current, event, deps.clock.now(), deps.policy.deadlines);
    if (outcome.kind === "refused") return current;
    transitioned = outcome.kind === "changed";
    if (options.releaseLease && current.leaseUntil) {
      // The worker's call is over: free the order for its next payment step (a refund after a
      // cancel) even when an event told the saga the same news first.
      const changed =
        outcome.kind === "changed" ? outcome : { kind: "changed" as const, order: current, timeline: [], events: [] };
      return applyOutcome(tx, current, { ...changed, order: { ...changed.order, leaseUntil: undefined } });
    }
    return applyOutcome(tx, current, outcome);
  });
  // Only after a real transition (never a lease release alone), so nudges cannot chain forever:
  // each one follows a step of the saga's finite state machine.
  if (order && transitioned) nudgePaymentWork(deps, ctx.tenantId, order);
  return order;
}

/**
 * The payment worker, one round: for every order (any tenant) that needs a charge, an answer
 * about a charge, or a refund, and is not leased, `attemptPaymentWork`. Resolves to how many
 * calls it made.
 */
export async function runPaymentWork(
  deps: OrderDeps,
  options: { limit: number; correlationId: string; signal?: AbortSignal; onError?: (error: unknown, orderId: string) => void },
): Promise<number> {
  const due = await deps.store.dueForPaymentWork(deps.clock.now(), options.limit);
  let calls = 0;
  for (const ref of due) {
    if (options.signal?.aborted) break;
    if (await attemptPaymentWork(deps, ref, options)) calls++;
  }
  return calls;
}

/**
 * One order's payment step: takes a lease in one transaction (row lock + version check: of two
 * workers, or a poll and a nudge, one gets it), calls payment OUTSIDE any transaction, and feeds
 * the answer to the saga in another. A crash between leaves the lease to lapse and a later round
 * asks again: payment dedupes charges on the order id and refunds on `<order_id>:cancel`.
 * Resolves to whether it called payment (false: nothing due, or leased by someone else).
 */
export async function attemptPaymentWork(
  deps: OrderDeps,
  ref: OrderRef,
  options: { correlationId: string; signal?: AbortSignal; onError?: (error: unknown, orderId: string) => void },
): Promise<boolean> {
  const ctx = workerContext(ref.tenantId, options.correlationId, options.signal);
  const leased = await lease(deps, ctx, ref.orderId);
  if (!leased) return false;
  try {
    const event = await callPayment(deps, ctx, leased);
    // A settled answer frees the order for its next payment step (a refund after a cancel);
    // PROCESSING keeps the lease, which is when payment is asked again.
    const settled = !(event.type === "ChargeAnswered" && event.outcome === "processing");
    await applySagaEvent(deps, ctx, ref.orderId, event, { releaseLease: settled });
  } catch (error) {
    // Payment unreachable or refusing for now: the lease lapses and a later round asks again.
    options.onError?.(error, ref.orderId);
  }
  return true;
}

async function callPayment(deps: OrderDeps, ctx: RequestContext, order: Order): Promise<SagaEvent> {
  if (order.payment === "refund_due") {
    const { paymentId } = await deps.payments.refund(ctx, {
      orderId: order.id,
      amount: order.totals.total,
      idempotencyKey: refundKeyOf(order.id),
    });
    return { type: "Refunded", paymentId, detail: "" };
  }
  const answer = await deps.payments.charge(ctx, {
    orderId: order.id,
    userId: order.userId,
    amount: order.totals.total,
    paymentMethodToken: order.paymentMethodToken,
  });
  return { type: "ChargeAnswered", outcome: answer.outcome, paymentId: answer.paymentId, detail: answer.detail };
}

/** Takes the order for one payment call when it still needs one and nobody holds it. */
async function lease(deps: OrderDeps, ctx: RequestContext, orderId: string): Promise<Order | undefined> {
  try {
    return await deps.store.transaction(ctx, async (tx) => {
      const current = await tx.lock(orderId);
      const now = deps.clock.now();
      if (!current || !needsPaymentWork(current)) return undefined;
      if (current.leaseUntil && current.leaseUntil.getTime() > now.getTime()) return undefined;
      const leased: Order = {
        ...current,
        leaseUntil: new Date(now.getTime() + deps.policy.paymentLeaseMs),
        version: current.version + 1,
      };
      await tx.update(leased);
      return leased;
    });
  } catch (error) {
    if (isDomainError(error) && error.kind === "conflict") return undefined;
    throw error;
  }
}

/**
 * The deadline sweeper, one round: every saga step past its deadline (any tenant) gets
 * DeadlinePassed, which compensates (TIMED_OUT). Resolves to how many orders it changed.
 */
export async function expireOverdueSagas(
  deps: OrderDeps,
  options: { limit: number; correlationId: string; signal?: AbortSignal },
): Promise<number> {
  const due = await deps.store.dueForDeadline(deps.clock.now(), options.limit);
  let changed = 0;
  for (const { tenantId, orderId } of due) {
    if (options.signal?.aborted) break;
    const ctx = workerContext(tenantId, options.correlationId, options.signal);
    const before = await deps.store.find(tenantId, orderId);
    const after = await applySagaEvent(deps, ctx, orderId, { type: "DeadlinePassed" });
    if (before && after && after.version !== before.version) changed++;
  }
  return changed;
}

function workerContext(tenantId: TenantId, correlationId: string, signal: AbortSignal | undefined): RequestContext {
  return { tenantId, caller: undefined, correlationId, signal: signal ?? new AbortController().signal };
}
