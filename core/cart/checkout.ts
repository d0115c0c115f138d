import { requireCaller } from "../kit/caller-guards.ts";
import { invalidField, isDomainError, notFound, permissionDenied } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import type { CartDeps } from "./cart-deps.ts";
import { cartErrors } from "./cart-errors.ts";
import { targetCart } from "./cart-commands.ts";
import { appliedPromotions, knownProducts } from "./cart-pricing-view.ts";
import { type PricingLine, priceCart } from "./cart-pricing.ts";
import { holdSnapshotCodes } from "./checkout-holds.ts";
import type { CheckoutSnapshot, ShippingAddress } from "./checkout-snapshot.ts";
import type { SkuPrice } from "./price-source.ts";

/** What ValidateForCheckout changed or found. */
export type CheckoutIssue =
  | {
      readonly kind: "price_changed";
      readonly sku: string;
      readonly previousUnitPriceMinor: number;
      /** The currency of the previous price: the cart's, unless the line was priced in another. */
      readonly previousCurrency: string;
      readonly message: string;
    }
  | { readonly kind: "quantity_reduced"; readonly sku: string; readonly previousQuantity: number; readonly message: string }
  | { readonly kind: "unavailable"; readonly sku: string; readonly message: string }
  | { readonly kind: "promotion_removed"; readonly code: string; readonly message: string };

export interface CheckoutValidation {
  readonly snapshot: CheckoutSnapshot;
  readonly issues: readonly CheckoutIssue[];
}

const COUNTRY = /^[A-Z]{2}$/;

/**
 * Checkout: re-prices every line from catalog and re-checks availability with inventory (both
 * must answer: UNAVAILABLE otherwise, never a snapshot from stored prices), lowers quantities to
 * what is available, drops promotions that no longer apply (window, usage limits, minimum),
 * holds one use of every limited code it keeps until the snapshot expires (a code whose last use
 * another checkout holds is dropped too), computes tax for the destination, moves the cart's
 * version on and freezes a snapshot at it.
 * A line that cannot be bought stays in the cart (reported, not ready) until the customer removes it.
 */
export async function validateForCheckout(
  deps: CartDeps,
  ctx: RequestContext,
  input: { readonly shippingAddress: ShippingAddress },
): Promise<CheckoutValidation> {
  const caller = requireCaller(ctx);
  if (!COUNTRY.test(input.shippingAddress.countryCode)) {
    throw invalidField("shipping_address.country_code", "ISO 3166-1 alpha-2, upper-case");
  }
  // A cart that moved on meanwhile (or a cached copy the database does not have) is validated once
  // more, loaded afresh; nothing was written by the attempt that lost.
  for (let attempt = 1; ; attempt++) {
    try {
      return await validateOnce(deps, ctx, caller.userId, input.shippingAddress);
    } catch (error) {
      if (!(isDomainError(error) && error.kind === "conflict" && attempt < 2)) throw error;
    }
  }
}

async function validateOnce(
  deps: CartDeps,
  ctx: RequestContext,
  userId: string,
  address: ShippingAddress,
): Promise<CheckoutValidation> {
  const cart = await targetCart(deps, ctx, { guestCartId: "" });
  if (cart.lines.length === 0) throw cartErrors.cartEmpty();
  const skus = cart.lines.map((l) => l.sku);
  const [prices, availability] = await Promise.all([
    deps.prices.prices(ctx, skus, knownProducts(cart)),
    deps.availability.available(ctx, skus),
  ]);
  const now = deps.clock.now();
  const max = deps.policy.maxQuantityPerLine;
  const issues: CheckoutIssue[] = [];
  const unavailableSkus: string[] = [];
  const updates: { price: SkuPrice; quantity: number }[] = [];
  const currency = await deps.currencyOf(ctx.tenantId);
  for (const line of cart.lines) {
    const price = prices.get(line.sku);
    const cap = Math.min(max, availability.get(line.sku) ?? 0);
    if (!price?.purchasable || price.currency !== currency || cap <= 0) {
      unavailableSkus.push(line.sku);
      issues.push({ kind: "unavailable", sku: line.sku, message: unavailableText(line.sku, price, currency) });
      continue;
    }
    if (price.unitPriceMinor !== line.unitPriceMinor || price.currency !== line.currency) {
      issues.push({
        kind: "price_changed",
        sku: line.sku,
        previousUnitPriceMinor: line.unitPriceMinor,
        previousCurrency: line.currency,
        message: `sku ${line.sku}: the unit price changed from ${priceText(line.unitPriceMinor, line.currency, currency)} to ${price.unitPriceMinor}`,
      });
    }
    const quantity = Math.min(line.quantity, cap);
    if (quantity < line.quantity) {
      issues.push({
        kind: "quantity_reduced",
        sku: line.sku,
        previousQuantity: line.quantity,
        message: `sku ${line.sku}: only ${cap} available, the quantity was lowered from ${line.quantity}`,
      });
    }
    updates.push({ price, quantity });
  }
  cart.reprice(updates, deps.policy, now);

  // A line still priced in another currency (reported UNAVAILABLE above) is never summed.
  const lines: PricingLine[] = cart.lines
    .filter((l) => l.currency === currency)
    .map((l) => ({ sku: l.sku, quantity: l.quantity, unitPriceMinor: l.unitPriceMinor, taxClass: l.taxClass }));
  const { applicable, refused } = await appliedPromotions(deps, ctx, cart, lines, now);
  for (const code of refused) issues.push({ kind: "promotion_removed", code, message: `promotion ${code} no longer applies` });
  cart.dropPromotions(refused, deps.policy, now);
  cart.freeze(deps.policy, now);
  const expiresAt = new Date(now.getTime() + deps.policy.checkoutSnapshotTtlMs);
  const { kept, dropped } = await holdSnapshotCodes(deps, cart, userId, applicable, now, expiresAt);
  for (const { code, message } of dropped) issues.push({ kind: "promotion_removed", code, message });
  const rates = await deps.taxRates.ratesFor(ctx.tenantId, address.countryCode);
  const priced = priceCart({ lines, promotions: kept, tax: { rates, destination: address } });
  await deps.carts.save(cart);

  const pricedBySku = new Map(priced.lines.map((line) => [line.sku, line]));
  const s = cart.snapshot();
  const snapshot: CheckoutSnapshot = {
    tenantId: ctx.tenantId,
    cartId: s.id,
    cartVersion: s.version,
    userId,
    currency,
    lines: s.lines.map((line) => {
      const p = pricedBySku.get(line.sku);
      const ownSubtotalMinor = line.unitPriceMinor * line.quantity;
      return {
        sku: line.sku,
        productId: line.productId,
        productName: line.productName,
        imageUrl: line.imageUrl,
        quantity: line.quantity,
        unitPriceMinor: line.unitPriceMinor,
        subtotalMinor: p?.subtotalMinor ?? ownSubtotalMinor,
        discountMinor: p?.discountMinor ?? 0,
        taxMinor: p?.taxMinor ?? 0,
        totalMinor: p?.totalMinor ?? ownSubtotalMinor,
        taxClass: line.taxClass,
        maxQuantity: Math.min(max, availability.get(line.sku) ?? 0),
        ...(line.currency === currency ? {} : { currency: line.currency }),
      };
    }),
    promotions: priced.promotions,
    subtotalMinor: priced.subtotalMinor,
    discountTotalMinor: priced.discountTotalMinor,
    taxTotalMinor: priced.taxTotalMinor,
    totalMinor: priced.totalMinor,
    shippingAddress: address,
    unavailableSkus,
    createdAt: now,
    expiresAt,
  };
  await deps.snapshots.put(snapshot);
  return { snapshot, issues };
}

function priceText(minor: number, lineCurrency: string, cartCurrency: string): string {
  return lineCurrency === cartCurrency ? `${minor}` : `${minor} ${lineCurrency}`;
}

function unavailableText(sku: string, price: SkuPrice | undefined, currency: string): string {
  if (!price) return `sku ${sku} is no longer sold`;
  if (!price.purchasable) return `sku ${sku} cannot be bought now`;
  if (price.currency !== currency) return `sku ${sku} is not priced in ${currency}`;
  return `sku ${sku} is out of stock`;
}

/**
 * The snapshot of a cart version, for orders at PlaceOrder (forwarding the customer's token) and
 * the cart's owner. NOT_FOUND for an unknown cart (or one of another tenant) and for a version
 * never validated; PERMISSION_DENIED when the cart is not the caller's; FAILED_PRECONDITION
 * `CART.VERSION_STALE` when the cart changed since or the snapshot expired.
 */
export async function getCheckoutSnapshot(
  deps: CartDeps,
  ctx: RequestContext,
  input: { readonly cartId: string; readonly cartVersion: number },
): Promise<CheckoutSnapshot> {
  const caller = requireCaller(ctx);
  if (!Number.isSafeInteger(input.cartVersion) || input.cartVersion < 1) throw invalidField("cart_version", "must be at least 1");
  const cart = await deps.carts.find(ctx.tenantId, input.cartId);
  if (!cart) throw cartErrors.cartNotFound(input.cartId);
  if (cart.snapshot().userId !== caller.userId) throw permissionDenied("the cart is not the caller's", "CART.NOT_OWNER");
  if (cart.version !== input.cartVersion) throw cartErrors.versionStale(input.cartId);
  const snapshot = await deps.snapshots.find(ctx.tenantId, input.cartId, input.cartVersion);
  if (!snapshot) throw notFound("checkout snapshot", `${input.cartId}@${input.cartVersion}`, "CART.SNAPSHOT_NOT_FOUND");
  if (deps.clock.now().getTime() >= snapshot.expiresAt.getTime()) throw cartErrors.versionStale(input.cartId);
  return snapshot;
}
