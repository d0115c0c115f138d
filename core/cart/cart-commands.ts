import { invalidField, isDomainError } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { Cart, isGuestCartId, userCartId } from "./cart.ts";
import type { CartDeps } from "./cart-deps.ts";
import { cartErrors } from "./cart-errors.ts";
import { type CartCommandIdentity, cartCommand } from "./cart-idempotency.ts";
import { appliedPromotions, cartView, knownProducts, type LiveFacts, lookLive, pricingLines } from "./cart-pricing-view.ts";
import { type CartView, decodeCartView, encodeCartView } from "./cart-view.ts";
import { normalizePromotionCode, promotionRefusal } from "./promotion.ts";

/** Which cart a call means: the caller's own when signed in, else the named guest cart. */
export interface CartTarget {
  /** Anonymous callers: required. Authenticated callers: empty. */
  readonly guestCartId: string;
}

/** Loads the cart a call means. A user's cart is opened empty on first use; a guest cart must exist and be live. */
export async function targetCart(deps: CartDeps, ctx: RequestContext, target: CartTarget): Promise<Cart> {
  const now = deps.clock.now();
  if (ctx.caller) {
    if (target.guestCartId !== "") throw invalidField("guest_cart_id", "must be empty for a signed-in caller");
    const id = userCartId(ctx.caller.userId);
    const found = await deps.carts.find(ctx.tenantId, id);
    if (!found) return Cart.open(ctx.tenantId, id, ctx.caller.userId, now, deps.policy);
    if (found.isExpired(now)) found.clear(deps.policy, now);
    return found;
  }
  return guestCart(deps, ctx, target.guestCartId, "guest_cart_id");
}

async function guestCart(deps: CartDeps, ctx: RequestContext, guestCartId: string, field: string): Promise<Cart> {
  if (guestCartId === "") throw invalidField(field, "required for an anonymous caller");
  if (!isGuestCartId(guestCartId)) throw cartErrors.cartNotFound(guestCartId);
  const found = await deps.carts.find(ctx.tenantId, guestCartId);
  if (!found || found.isExpired(deps.clock.now())) throw cartErrors.cartNotFound(guestCartId);
  return found;
}

/**
 * The story of every mutating call: find the cart, answer a replay from its record (the same
 * key with another request is refused), do the change (a failure stores nothing), drop
 * promotions that no longer apply, price, and save the cart with the answer in one write.
 * A concurrent twin that lost the race answers from the winner's record. A save that finds the
 * stored cart moved on (a concurrent change, or a cached copy the database does not have: the
 * cache drops it) is done once more on the cart loaded afresh from the database, the source of truth.
 */
async function mutate(
  deps: CartDeps,
  ctx: RequestContext,
  load: () => Promise<Cart>,
  command: string,
  key: string,
  facts: readonly unknown[],
  work: (cart: Cart, now: Date, currency: string) => Promise<{ live: LiveFacts; removing?: Cart }>,
): Promise<CartView> {
  const currency = await deps.currencyOf(ctx.tenantId);
  for (let attempt = 1; ; attempt++) {
    const cart = await load();
    const identity = await cartCommand(`${command}:${cart.id}`, key, facts);
    const prior = await priorAnswer(deps, ctx, identity);
    if (prior) return prior;
    const now = deps.clock.now();
    const { live, removing } = await work(cart, now, currency);
    const { refused } = await appliedPromotions(deps, ctx, cart, pricingLines(cart, live, currency), now);
    cart.dropPromotions(refused, deps.policy, now);
    const view = await cartView(deps, ctx, cart, live, now, currency);
    try {
      await deps.carts.save(cart, { answer: { ...identity, response: encodeCartView(view), createdAt: now }, removing });
      return view;
    } catch (error) {
      if (isDomainError(error) && (error.kind === "conflict" || error.kind === "already_exists")) {
        const winner = await priorAnswer(deps, ctx, identity);
        if (winner) return winner;
        if (error.kind === "conflict" && attempt < 2) continue;
      }
      throw error;
    }
  }
}

/** `mutate` on the cart the call targets, keyed by the call's idempotency key. */
function mutateTarget(
  deps: CartDeps,
  ctx: RequestContext,
  input: CartTarget & { readonly idempotencyKey: string },
  command: string,
  facts: readonly unknown[],
  work: (cart: Cart, now: Date, currency: string) => Promise<{ live: LiveFacts; removing?: Cart }>,
): Promise<CartView> {
  return mutate(deps, ctx, () => targetCart(deps, ctx, input), command, input.idempotencyKey, facts, work);
}

/** Live prices and availability of the cart's own lines. */
function liveFactsOf(deps: CartDeps, ctx: RequestContext, cart: Cart): Promise<LiveFacts> {
  return lookLive(
    deps,
    ctx,
    cart.lines.map((l) => l.sku),
    knownProducts(cart),
  );
}

async function priorAnswer(deps: CartDeps, ctx: RequestContext, identity: CartCommandIdentity): Promise<CartView | undefined> {
  const record = await deps.carts.findAnswer(ctx.tenantId, identity.scope, identity.keyHash);
  if (!record) return undefined;
  if (record.fingerprint !== identity.fingerprint) throw cartErrors.idempotencyKeyReused();
  return decodeCartView(record.response);
}

/** The SKU's live price and availability, or the error the contract names. */
async function mustKnow(live: LiveFacts, sku: string) {
  if (!live.prices) throw cartErrors.catalogUnavailable();
  if (!live.availability) throw cartErrors.inventoryUnavailable();
  const price = live.prices.get(sku);
  if (!price) throw cartErrors.skuNotFound(sku);
  return { price, available: live.availability.get(sku) ?? 0 };
}

export async function addItem(
  deps: CartDeps,
  ctx: RequestContext,
  input: CartTarget & { readonly sku: string; readonly quantity: number; readonly idempotencyKey: string },
): Promise<CartView> {
  return mutateTarget(deps, ctx, input, "add_item", [input.sku, input.quantity], async (c, now, currency) => {
    if (!Number.isInteger(input.quantity) || input.quantity < 1) throw cartErrors.quantity("must be at least 1");
    const skus = [...new Set([...c.lines.map((l) => l.sku), input.sku])];
    const live = await lookLive(deps, ctx, skus, knownProducts(c));
    const { price, available } = await mustKnow(live, input.sku);
    c.addItem(price, input.quantity, available, currency, deps.policy, now);
    return { live };
  });
}

export async function updateItemQuantity(
  deps: CartDeps,
  ctx: RequestContext,
  input: CartTarget & { readonly sku: string; readonly quantity: number; readonly idempotencyKey: string },
): Promise<CartView> {
  return mutateTarget(deps, ctx, input, "update_item_quantity", [input.sku, input.quantity], async (c, now) => {
    const line = c.line(input.sku);
    if (!line) throw cartErrors.lineNotFound(input.sku);
    const live = await liveFactsOf(deps, ctx, c);
    let available = Number.MAX_SAFE_INTEGER;
    if (input.quantity > line.quantity) {
      if (!live.availability) throw cartErrors.inventoryUnavailable();
      available = live.availability.get(input.sku) ?? 0;
    }
    c.setQuantity(input.sku, input.quantity, available, deps.policy, now);
    return { live };
  });
}

export async function removeItem(
  deps: CartDeps,
  ctx: RequestContext,
  input: CartTarget & { readonly sku: string; readonly idempotencyKey: string },
): Promise<CartView> {
  return mutateTarget(deps, ctx, input, "remove_item", [input.sku], async (c, now) => {
    c.removeItem(input.sku, deps.policy, now);
    return { live: await liveFactsOf(deps, ctx, c) };
  });
}

export async function clearCart(
  deps: CartDeps,
  ctx: RequestContext,
  input: CartTarget & { readonly idempotencyKey: string },
): Promise<CartView> {
  return mutateTarget(deps, ctx, input, "clear_cart", [], async (c, now) => {
    c.clear(deps.policy, now);
    return { live: { prices: new Map(), availability: new Map() } };
  });
}

export async function applyPromotion(
  deps: CartDeps,
  ctx: RequestContext,
  input: CartTarget & { readonly code: string; readonly idempotencyKey: string },
): Promise<CartView> {
  const code = normalizePromotionCode(input.code);
  return mutateTarget(deps, ctx, input, "apply_promotion", [code], async (c, now, currency) => {
    const promotion = await deps.promotions.findByCode(ctx.tenantId, code);
    if (!promotion) throw cartErrors.promotionNotFound(code);
    const live = await liveFactsOf(deps, ctx, c);
    if (!c.promotionCodes.includes(code)) {
      const lines = pricingLines(c, live, currency);
      const { applicable } = await appliedPromotions(deps, ctx, c, lines, now);
      const userId = ctx.caller?.userId;
      const refusal = promotionRefusal(promotion, {
        now,
        subtotalMinor: lines.reduce((a, l) => a + l.unitPriceMinor * l.quantity, 0),
        skus: lines.map((l) => l.sku),
        userRedemptions: userId ? await deps.promotions.userRedemptions(ctx.tenantId, code, userId) : 0,
        others: applicable,
      });
      if (refusal) throw cartErrors.promotionRefused(code, refusal);
      c.applyPromotion(code, deps.policy, now);
    }
    return { live };
  });
}

export async function removePromotion(
  deps: CartDeps,
  ctx: RequestContext,
  input: CartTarget & { readonly code: string; readonly idempotencyKey: string },
): Promise<CartView> {
  const code = normalizePromotionCode(input.code);
  return mutateTarget(deps, ctx, input, "remove_promotion", [code], async (c, now) => {
    c.removePromotion(code, deps.policy, now);
    return { live: await liveFactsOf(deps, ctx, c) };
  });
}

/** Moves a guest cart into the caller's cart and deletes it, in one write. */
export async function mergeGuestCart(
  deps: CartDeps,
  ctx: RequestContext,
  input: { readonly guestCartId: string; readonly idempotencyKey: string },
): Promise<CartView> {
  if (!ctx.caller) throw invalidField("guest_cart_id", "merging needs a signed-in caller");
  const ownCart = { guestCartId: "", idempotencyKey: input.idempotencyKey };
  return mutateTarget(deps, ctx, ownCart, "merge_guest_cart", [input.guestCartId], async (c, now) => {
    const guest = await guestCart(deps, ctx, input.guestCartId, "guest_cart_id");
    const skus = [...new Set([...c.lines, ...guest.lines].map((l) => l.sku))];
    const live = await lookLive(deps, ctx, skus, knownProducts(c, guest));
    c.absorb(guest, live.availability ?? new Map(), deps.policy, now);
    return { live, removing: guest };
  });
}

/** Opens an empty guest cart; its id is the guest's only credential. */
export async function createGuestCart(deps: CartDeps, ctx: RequestContext): Promise<CartView> {
  const now = deps.clock.now();
  const cart = Cart.openGuest(ctx.tenantId, `g-${deps.newId()}`, now, deps.policy);
  await deps.carts.save(cart);
  return cartView(deps, ctx, cart, { prices: new Map(), availability: new Map() }, now, await deps.currencyOf(ctx.tenantId));
}

/** The cart with live prices; stored prices flagged stale when catalog is down. Read-only. */
export async function getCart(deps: CartDeps, ctx: RequestContext, target: CartTarget): Promise<CartView> {
  const cart = await targetCart(deps, ctx, target);
  const live = await liveFactsOf(deps, ctx, cart);
  return cartView(deps, ctx, cart, live, deps.clock.now(), await deps.currencyOf(ctx.tenantId));
}
