import type { Clock } from "../kit/clock.ts";
import type { IdGenerator } from "../kit/ids.ts";
import type { TenantId } from "../kit/request-context.ts";
import type { AvailabilitySource } from "./availability-source.ts";
import type { CartLimits } from "./cart.ts";
import type { CartRepository } from "./cart-repository.ts";
import type { CheckoutSnapshotRepository } from "./checkout-snapshot.ts";
import type { RedemptionLedger } from "./order-redemptions.ts";
import type { PriceSource } from "./price-source.ts";
import type { PromotionRepository } from "./promotion-repository.ts";
import type { TaxRateRepository } from "./tax-rate-repository.ts";

export interface CartPolicy extends CartLimits {
  /** How long a checkout snapshot may be ordered. */
  readonly checkoutSnapshotTtlMs: number;
}

export const DEFAULT_CART_POLICY: CartPolicy = {
  maxQuantityPerLine: 99,
  maxLines: 100,
  ttlMs: 30 * 24 * 60 * 60_000,
  checkoutSnapshotTtlMs: 30 * 60_000,
};

/** What the cart use cases need: ports and policy, handed over by the composition root. */
export interface CartDeps {
  readonly carts: CartRepository;
  readonly prices: PriceSource;
  readonly availability: AvailabilitySource;
  readonly promotions: PromotionRepository;
  readonly taxRates: TaxRateRepository;
  /** Checkout snapshots, keyed by (tenant, cart id, cart version). */
  readonly snapshots: CheckoutSnapshotRepository;
  /** Promotion redemptions counted from order events. */
  readonly redemptions: RedemptionLedger;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly policy: CartPolicy;
  /**
   * The tenant's currency: a cart's totals (an empty cart's too), its promotions' amounts and its
   * snapshots are in it, and a line counts only when priced in it. Wired from the tenant
   * directory (TenantCreated's `currency_code`), with a configured fallback for tenants it does not know.
   */
  readonly currencyOf: (tenantId: TenantId) => Promise<string>;
}
