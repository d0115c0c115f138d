import { isDomainError } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import type { Cart, CartLineState } from "./cart.ts";
import type { CartDeps } from "./cart-deps.ts";
import { type PricingLine, priceCart } from "./cart-pricing.ts";
import type { CartView } from "./cart-view.ts";
import type { SkuPrice } from "./price-source.ts";
import { type PromotionDefinition, promotionRefusal } from "./promotion.ts";

/** What catalog and inventory said just now; undefined where they did not answer. */
export interface LiveFacts {
  readonly prices: ReadonlyMap<string, SkuPrice> | undefined;
  readonly availability: ReadonlyMap<string, number> | undefined;
}

/** SKU -> product id of the lines of the given carts (what catalog may need to find them). */
export function knownProducts(...carts: readonly Cart[]): ReadonlyMap<string, string> {
  return new Map(carts.flatMap((cart) => cart.lines.map((line) => [line.sku, line.productId] as const)));
}

/** Asks catalog and inventory at once; a dependency that is down leaves its half undefined. */
export async function lookLive(
  deps: CartDeps,
  ctx: RequestContext,
  skus: readonly string[],
  known: ReadonlyMap<string, string> = new Map(),
): Promise<LiveFacts> {
  if (skus.length === 0) return { prices: new Map(), availability: new Map() };
  const downIsUndefined = <T>(work: Promise<T>) =>
    work.catch((error: unknown) => {
      if (isDomainError(error) && error.kind === "unavailable") return undefined;
      throw error;
    });
  const [prices, availability] = await Promise.all([
    downIsUndefined(deps.prices.prices(ctx, skus, known)),
    downIsUndefined(deps.availability.available(ctx, skus)),
  ]);
  return { prices, availability };
}

/** What a line costs now: catalog's live price where it answered, the stored one elsewhere. */
function currentPrice(line: CartLineState, live: LiveFacts) {
  const price = live.prices?.get(line.sku);
  return {
    unitPriceMinor: price?.unitPriceMinor ?? line.unitPriceMinor,
    currency: price?.currency ?? line.currency,
    taxClass: price?.taxClass ?? line.taxClass,
  };
}

/**
 * The lines that count, at their current price: those priced in the cart's `currency` (the
 * tenant's). A line priced in another (catalog misconfigured, or prices written before the
 * tenant had its own currency) is never summed: no subtotal, promotion or minimum sees it.
 */
export function pricingLines(cart: Cart, live: LiveFacts, currency: string): PricingLine[] {
  return cart.lines.flatMap((line) => {
    const price = currentPrice(line, live);
    if (price.currency !== currency) return [];
    return [{ sku: line.sku, quantity: line.quantity, unitPriceMinor: price.unitPriceMinor, taxClass: price.taxClass }];
  });
}

/** Splits the applied codes into those that still apply and those that no longer do. */
export async function appliedPromotions(
  deps: CartDeps,
  ctx: RequestContext,
  cart: Cart,
  lines: readonly PricingLine[],
  now: Date,
): Promise<{ readonly applicable: PromotionDefinition[]; readonly refused: string[] }> {
  const subtotalMinor = lines.reduce((a, l) => a + l.unitPriceMinor * l.quantity, 0);
  const applicable: PromotionDefinition[] = [];
  const refused: string[] = [];
  for (const code of cart.promotionCodes) {
    const promotion = await deps.promotions.findByCode(ctx.tenantId, code);
    const userId = cart.snapshot().userId;
    const userRedemptions = promotion && userId ? await deps.promotions.userRedemptions(ctx.tenantId, code, userId) : 0;
    const refusal = promotion
      ? promotionRefusal(promotion, { now, subtotalMinor, skus: lines.map((l) => l.sku), userRedemptions, others: applicable })
      : "disabled";
    if (promotion && !refusal) applicable.push(promotion.definition);
    else refused.push(code);
  }
  return { applicable, refused };
}

/**
 * Prices the cart for display (no tax: the destination is known only at checkout), in the
 * tenant's `currency`. A line priced in another currency is shown in it (its own unit price and
 * subtotal, no discount) and left out of the totals.
 */
export async function cartView(
  deps: CartDeps,
  ctx: RequestContext,
  cart: Cart,
  live: LiveFacts,
  now: Date,
  currency: string,
): Promise<CartView> {
  const lines = pricingLines(cart, live, currency);
  const { applicable } = await appliedPromotions(deps, ctx, cart, lines, now);
  const priced = priceCart({ lines, promotions: applicable });
  const pricedBySku = new Map(priced.lines.map((line) => [line.sku, line]));
  const s = cart.snapshot();
  const max = deps.policy.maxQuantityPerLine;
  return {
    cartId: s.id,
    userId: s.userId,
    version: s.version,
    currency,
    lines: s.lines.map((line) => {
      const price = currentPrice(line, live);
      const live_ = live.prices?.get(line.sku);
      const counted = pricedBySku.get(line.sku);
      const ownSubtotalMinor = price.unitPriceMinor * line.quantity;
      return {
        sku: line.sku,
        productId: line.productId,
        productName: live_?.productName ?? line.productName,
        imageUrl: live_?.imageUrl ?? line.imageUrl,
        quantity: line.quantity,
        unitPriceMinor: price.unitPriceMinor,
        subtotalMinor: counted?.subtotalMinor ?? ownSubtotalMinor,
        discountMinor: counted?.discountMinor ?? 0,
        taxMinor: 0,
        totalMinor: counted?.totalMinor ?? ownSubtotalMinor,
        taxClass: price.taxClass,
        maxQuantity: Math.min(max, live.availability?.get(line.sku) ?? max),
        ...(price.currency === currency ? {} : { currency: price.currency }),
      };
    }),
    promotions: priced.promotions,
    subtotalMinor: priced.subtotalMinor,
    discountTotalMinor: priced.discountTotalMinor,
    taxTotalMinor: 0,
    totalMinor: priced.totalMinor,
    pricesStale: s.lines.length > 0 && live.prices === undefined,
    itemCount: s.lines.reduce((a, l) => a + l.quantity, 0),
    updatedAt: s.updatedAt,
    expiresAt: s.expiresAt,
  };
}
