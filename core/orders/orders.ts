import { containsCardNumber } from "../kit/card-number.ts";
import { requireCaller } from "../kit/caller-guards.ts";
import { failedPrecondition, invalidField, isDomainError, notFound, permissionDenied } from "../kit/domain-error.ts";
import { hasRole, type RequestContext, type TenantId } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import type { CheckoutSnapshot } from "./checkout-snapshots.ts";
import { type OrderDeps, pageSizeOf } from "./order-deps.ts";
import { needsPaymentWork, type Order, type OrderStatus, type TimelineEntry } from "./order.ts";
import { transition } from "./order-saga.ts";
import type { OrderTransaction, Page } from "./order-store.ts";

const MAX_ID = 64;
const TOKEN = /^[A-Za-z0-9_-]{1,255}$/;

export interface PlaceOrderInput {
  readonly cartId: string;
  readonly cartVersion: number;
  readonly paymentMethodToken: string;
  readonly idempotencyKey: string;
}

/**
 * Places an order from the cart's checkout snapshot: PENDING with OrderCreated in one
 * transaction; the saga runs from there. Idempotent on (tenant, user, idempotency key): a replay
 * answers the order as it is now; the same key for another cart or version is INVALID_ARGUMENT.
 */
export async function placeOrder(deps: OrderDeps, ctx: RequestContext, input: PlaceOrderInput): Promise<Order> {
  const caller = requireCaller(ctx);
  const cartId = parseId(input.cartId, "cart_id");
  if (!Number.isSafeInteger(input.cartVersion) || input.cartVersion < 1) throw invalidField("cart_version", "must be at least 1");
  // Checked before anything else so a card number never travels further (and is never echoed).
  if (!TOKEN.test(input.paymentMethodToken) || containsCardNumber(input.paymentMethodToken)) {
    throw invalidField("payment_method_token", "must be a provider token, never a card number");
  }
  const key = input.idempotencyKey;
  if (key.length < 8 || key.length > 128) throw invalidField("idempotency_key", "must be 8-128 characters");

  const replay = await deps.store.findByIdempotencyKey(ctx.tenantId, caller.userId, key);
  if (replay) return answerReplay(replay, cartId, input.cartVersion);

  const snapshot = await deps.snapshots.get(ctx, cartId, input.cartVersion);
  const now = deps.clock.now();
  checkSnapshot(snapshot, caller.userId, cartId, input.cartVersion, now);

  const order: Order = {
    id: deps.newId(),
    userId: caller.userId,
    state: "awaiting_stock",
    cancellationReason: undefined,
    payment: "none",
    stockHeld: false,
    lines: snapshot.lines,
    promotionCodes: snapshot.promotionCodes,
    totals: snapshot.totals,
    shippingAddress: snapshot.shippingAddress,
    cartId,
    cartVersion: input.cartVersion,
    paymentMethodToken: input.paymentMethodToken,
    idempotencyKey: key,
    paymentId: undefined,
    shipmentId: undefined,
    placedAt: now,
    updatedAt: now,
    deadlineAt: new Date(now.getTime() + deps.policy.deadlines.reservationMs),
    leaseUntil: undefined,
    version: 1,
  };
  try {
    await deps.store.transaction(ctx, async (tx) => {
      await tx.insert(order);
      await tx.appendTimeline(order.id, [{ step: "placed", at: now, detail: `cart ${cartId} version ${input.cartVersion}` }]);
      await tx.publish([{ type: "OrderCreated", order }]);
    });
  } catch (error) {
    // A concurrent replay won the unique key: answer its order.
    if (isDomainError(error) && error.kind === "already_exists") {
      const winner = await deps.store.findByIdempotencyKey(ctx.tenantId, caller.userId, key);
      if (winner) return answerReplay(winner, cartId, input.cartVersion);
    }
    throw error;
  }
  return order;
}

function answerReplay(order: Order, cartId: string, cartVersion: number): Order {
  if (order.cartId !== cartId || order.cartVersion !== cartVersion) {
    throw invalidField("idempotency_key", "was used for another cart", "ORDER.IDEMPOTENCY_KEY_REUSED");
  }
  return order;
}

function checkSnapshot(snapshot: CheckoutSnapshot, userId: string, cartId: string, cartVersion: number, now: Date): void {
  if (snapshot.cartId !== cartId || snapshot.userId !== userId) throw notFound("cart", cartId);
  if (snapshot.cartVersion !== cartVersion || snapshot.expiresAt.getTime() <= now.getTime()) {
    throw failedPrecondition("CART.VERSION_STALE", `cart ${cartId} changed since version ${cartVersion} or its snapshot expired`);
  }
  if (!snapshot.readyForCheckout || snapshot.lines.length === 0) {
    throw failedPrecondition("CART.NOT_READY_FOR_CHECKOUT", `cart ${cartId} is not ready for checkout`);
  }
  if (snapshot.totals.total.amountMinor <= 0) {
    throw failedPrecondition("ORDER.NOTHING_TO_CHARGE", `cart ${cartId} totals nothing to charge`);
  }
}

export interface OrderWithTimeline {
  readonly order: Order;
  readonly timeline: readonly TimelineEntry[];
}

/** The order and its timeline, for the ordering user or a tenant admin; NOT_FOUND for anyone else. */
export async function getOrder(deps: OrderDeps, ctx: RequestContext, orderId: string): Promise<OrderWithTimeline> {
  const order = await visibleOrder(deps, ctx, orderId);
  return { order, timeline: await deps.store.timeline(ctx.tenantId, order.id) };
}

export async function listOrders(
  deps: OrderDeps,
  ctx: RequestContext,
  query: { userId?: string; statuses?: readonly OrderStatus[]; pageSize?: number; pageToken?: string },
): Promise<Page<Order>> {
  const caller = requireCaller(ctx);
  const admin = hasRole(ctx, Roles.tenantAdmin);
  if (query.userId && query.userId !== caller.userId && !admin) {
    throw permissionDenied(`requires the user itself or role ${Roles.tenantAdmin}`);
  }
  const userId = admin ? query.userId || undefined : caller.userId;
  return deps.store.list(ctx.tenantId, {
    userId,
    statuses: query.statuses ?? [],
    pageSize: pageSizeOf(query.pageSize),
    pageToken: query.pageToken || undefined,
  });
}

/**
 * Cancels an order that has not shipped (customer or tenant admin): CANCELLING with
 * OrderCancelled (stock released, any charge refunded), CANCELLED once both are done.
 * Cancelling a cancelling or cancelled order answers it unchanged.
 */
export async function cancelOrder(
  deps: OrderDeps,
  ctx: RequestContext,
  orderId: string,
  note: string,
): Promise<OrderWithTimeline> {
  const caller = requireCaller(ctx);
  if (note.length > 500) throw invalidField("note", "must be at most 500 characters");
  const found = await visibleOrder(deps, ctx, orderId);
  const by = found.userId === caller.userId ? "customer" : "admin";
  let transitioned = false;
  const order = await deps.store.transaction(ctx, async (tx) => {
    transitioned = false; // the store may run `work` again (deadlock retry)
    const current = await tx.lock(found.id);
    if (!current) throw notFound("order", orderId);
    const outcome = transition(current, { type: "CancelRequested", by, note }, deps.clock.now(), deps.policy.deadlines);
    if (outcome.kind === "refused") throw failedPrecondition(outcome.code, outcome.message);
    transitioned = outcome.kind === "changed";
    return applyOutcome(tx, current, outcome);
  });
  // A refund due (money was taken): asked for right after the commit, not at the next poll.
  if (transitioned) nudgePaymentWork(deps, ctx.tenantId, order);
  return { order, timeline: await deps.store.timeline(ctx.tenantId, order.id) };
}

/** Saves a transition's result in the caller's transaction; the order as it now stands. */
export async function applyOutcome(tx: OrderTransaction, current: Order, outcome: ReturnType<typeof transition>): Promise<Order> {
  if (outcome.kind !== "changed") return current;
  const next: Order = { ...outcome.order, version: current.version + 1 };
  await tx.update(next);
  if (outcome.timeline.length > 0) await tx.appendTimeline(next.id, outcome.timeline);
  if (outcome.events.length > 0) await tx.publish(outcome.events.map((event) => ({ ...event, order: next })));
  return next;
}

/**
 * Called after the commit of a transition (saga event, cancellation): when the order now needs a
 * payment call and no worker holds it, tells the service to make that call at once. A hint only:
 * the call still takes the lease first, and the poll is the safety net.
 */
export function nudgePaymentWork(deps: OrderDeps, tenantId: TenantId, order: Order): void {
  if (!deps.paymentWorkDue || !needsPaymentWork(order)) return;
  if (order.leaseUntil && order.leaseUntil.getTime() > deps.clock.now().getTime()) return;
  deps.paymentWorkDue({ tenantId, orderId: order.id });
}

async function visibleOrder(deps: OrderDeps, ctx: RequestContext, orderId: string): Promise<Order> {
  const caller = requireCaller(ctx);
  const id = parseId(orderId, "order_id");
  const order = await deps.store.find(ctx.tenantId, id);
  if (!order || (order.userId !== caller.userId && !hasRole(ctx, Roles.tenantAdmin))) throw notFound("order", id);
  return order;
}

function parseId(value: string, field: string): string {
  if (value.trim().length === 0 || value.length > MAX_ID) throw invalidField(field, `must be 1-${MAX_ID} characters`);
  return value;
}
