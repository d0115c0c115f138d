import { isDomainError } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import type { Cart } from "./cart.ts";
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

/** The cart's lines at the live price where catalog answered, the stored one elsewhere. */
export function pricingLines(cart: Cart, live: LiveFacts): PricingLine[] {
  return cart.lines.map((line) => ({
    sku: line.sku,
    quantity: line.quantity,
    unitPriceMinor: live.prices?.get(line.sku)?.unitPriceMinor ?? line.unitPriceMinor,
    taxClass: live.prices?.get(line.sku)?.taxClass ?? line.taxClass,
  }));
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

/** Prices the cart for display (no tax: the destination is known only at checkout). */
export async function cartView(deps: CartDeps, ctx: RequestContext, cart: Cart, live: LiveFacts, now: Date): Promise<CartView> {
  const lines = pricingLines(cart, live);
  const { applicable } = await appliedPromotions(deps, ctx, cart, lines, now);
  const priced = priceCart({ lines, promotions: applicable });
  const s = cart.snapshot();
  const max = deps.policy.maxQuantityPerLine;
  return {
    cartId: s.id,
    userId: s.userId,
    version: s.version,
    currency: s.lines[0]?.currency ?? deps.policy.defaultCurrency,
    lines: s.lines.map((line, i) => {
      const p = priced.lines[i];
      const live_ = live.prices?.get(line.sku);
      return {
        sku: line.sku,
        productId: line.productId,
        productName: live_?.productName ?? line.productName,
        imageUrl: live_?.imageUrl ?? line.imageUrl,
        quantity: line.quantity,
        unitPriceMinor: p?.unitPriceMinor ?? line.unitPriceMinor,
        subtotalMinor: p?.subtotalMinor ?? 0,
        discountMinor: p?.discountMinor ?? 0,
        taxMinor: 0,
        totalMinor: p?.totalMinor ?? 0,
        taxClass: live_?.taxClass ?? line.taxClass,
        maxQuantity: Math.min(max, live.availability?.get(line.sku) ?? max),
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
