import { expect } from "vitest";
import { MemoryAvailabilitySource } from "../../../../adapters/memory/cart/memory-availability-source.ts";
import { MemoryCartRepository } from "../../../../adapters/memory/cart/memory-cart-repository.ts";
import { MemoryCheckoutSnapshotRepository } from "../../../../adapters/memory/cart/memory-checkout-snapshot-repository.ts";
import { MemoryPriceSource } from "../../../../adapters/memory/cart/memory-price-source.ts";
import { MemoryPromotionRepository } from "../../../../adapters/memory/cart/memory-promotion-repository.ts";
import { MemoryRedemptionLedger } from "../../../../adapters/memory/cart/memory-redemption-ledger.ts";
import { MemoryTaxRateRepository } from "../../../../adapters/memory/cart/memory-tax-rate-repository.ts";
import { fixedClock } from "../../../../core/kit/clock.ts";
import { DomainError } from "../../../../core/kit/domain-error.ts";
import { sequentialIds } from "../../../../core/kit/ids.ts";
import { parseTenantId, type RequestContext } from "../../../../core/kit/request-context.ts";
import { type CartDeps, DEFAULT_CART_POLICY } from "../../../../core/cart/cart-deps.ts";
import type { SkuPrice } from "../../../../core/cart/price-source.ts";

export const at = new Date("2026-11-10T12:00:00.000Z");

export function aPrice(sku: string, unitPriceMinor: number, overrides: Partial<SkuPrice> = {}): SkuPrice {
  return {
    sku,
    productId: `product-${sku}`,
    productName: `Product ${sku}`,
    imageUrl: "",
    unitPriceMinor,
    currency: "EUR",
    taxClass: "standard",
    purchasable: true,
    ...overrides,
  };
}

/**
 * A cart context on memory adapters with two SKUs in stock in tenants acme and globex. Every
 * tenant's currency is EUR unless `currencies` (which a test may change) names another.
 */
export function cartFixture(policy: Partial<CartDeps["policy"]> = {}, currencies: Record<string, string> = {}) {
  const clock = fixedClock(at);
  const carts = new MemoryCartRepository();
  const prices = new MemoryPriceSource();
  const availability = new MemoryAvailabilitySource();
  const promotions = new MemoryPromotionRepository();
  const taxRates = new MemoryTaxRateRepository();
  const snapshots = new MemoryCheckoutSnapshotRepository();
  const redemptions = new MemoryRedemptionLedger(promotions);
  for (const tenant of ["acme", "globex"]) {
    prices.set(tenant, aPrice("SKU-A", 1999));
    prices.set(tenant, aPrice("SKU-B", 500, { taxClass: "reduced" }));
    prices.set(tenant, aPrice("SKU-OLD", 100, { purchasable: false }));
    availability.set(tenant, "SKU-A", 10);
    availability.set(tenant, "SKU-B", 1000);
    availability.set(tenant, "SKU-OLD", 5);
  }
  const deps: CartDeps = {
    carts,
    prices,
    availability,
    promotions,
    taxRates,
    snapshots,
    redemptions,
    clock,
    newId: sequentialIds("guest"),
    policy: { ...DEFAULT_CART_POLICY, ...policy },
    currencyOf: async (tenantId) => currencies[tenantId] ?? "EUR",
  };
  return { deps, clock, carts, prices, availability, promotions, taxRates, snapshots, redemptions, currencies };
}

export function signedIn(tenant: string, userId: string): RequestContext {
  return {
    tenantId: parseTenantId(tenant),
    caller: { userId, roles: ["customer"] },
    correlationId: "corr-cart",
    signal: new AbortController().signal,
  };
}

export function admin(tenant: string, userId = "root"): RequestContext {
  return {
    tenantId: parseTenantId(tenant),
    caller: { userId, roles: ["tenant_admin"] },
    correlationId: "corr-cart",
    signal: new AbortController().signal,
  };
}

export function anonymous(tenant: string): RequestContext {
  return { tenantId: parseTenantId(tenant), caller: undefined, correlationId: "corr-cart", signal: new AbortController().signal };
}

export async function rejection(work: Promise<unknown>): Promise<DomainError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

let keys = 0;
export const key = () => `cart-key-${++keys}`;
