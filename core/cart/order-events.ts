import type { RequestContext } from "../kit/request-context.ts";
import type { CartDeps } from "./cart-deps.ts";

const CODE = /^[A-Z0-9_-]{3,32}$/;

/** An order as OrderCreated tells it, as far as cart cares. */
export interface PlacedOrder {
  readonly orderId: string;
  readonly userId: string;
  readonly cartId: string;
  readonly cartVersion: number;
  readonly promotionCodes: readonly string[];
}

/**
 * OrderCreated: counts one redemption per promotion code of the order (the promotion's total and
 * the user's) in place of the checkout's hold on it, and remembers which cart version the order
 * came from (for OrderConfirmed).
 * Idempotent by order id (and the consumer skips a redelivered event id). Codes are compared
 * upper-cased; one that is not a code at all is ignored. False when the order was known already.
 */
export async function recordPlacedOrder(deps: CartDeps, ctx: RequestContext, order: PlacedOrder): Promise<boolean> {
  const codes = [...new Set(order.promotionCodes.map((c) => c.trim().toUpperCase()))].filter((c) => CODE.test(c));
  return deps.redemptions.record({
    tenantId: ctx.tenantId,
    orderId: order.orderId,
    userId: order.userId,
    cartId: order.cartId,
    cartVersion: order.cartVersion,
    codes,
    returned: false,
    createdAt: deps.clock.now(),
  });
}

/**
 * OrderConfirmed: the order was accepted, so the cart it came from is cleared, but only while it
 * is still at the ordered version (a cart changed after checkout keeps the new lines). Idempotent:
 * once cleared, the version has moved on. Returns what it did.
 */
export async function clearOrderedCart(
  deps: CartDeps,
  ctx: RequestContext,
  orderId: string,
): Promise<"cleared" | "cart_changed" | "unknown_order"> {
  const order = await deps.redemptions.find(ctx.tenantId, orderId);
  if (!order) return "unknown_order";
  const cart = await deps.carts.find(ctx.tenantId, order.cartId);
  if (!cart || cart.version !== order.cartVersion) return "cart_changed";
  const now = deps.clock.now();
  cart.clear(deps.policy, now);
  await deps.carts.save(cart);
  return "cleared";
}

/**
 * OrderCancelled: the customer did not get the order, so its redemptions are given back (the
 * code counts as unused again, for the promotion's total and the user's limit). Idempotent by
 * order id; an order cart never saw gives nothing back.
 */
export async function giveBackRedemptions(deps: CartDeps, ctx: RequestContext, orderId: string): Promise<boolean> {
  return deps.redemptions.giveBack(ctx.tenantId, orderId);
}
