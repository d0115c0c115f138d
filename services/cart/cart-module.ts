import type { Clock } from "../../core/kit/clock.ts";
import type { RetentionTarget } from "../../core/kit/retention.ts";
import type { EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { ProcessedEvents } from "../../core/kit/processed-events.ts";
import type { HealthProbe } from "../../core/kit/health.ts";
import { randomId } from "../../core/kit/ids.ts";
import type { TenantDirectory } from "../../core/kit/tenant-directory.ts";
import type { AvailabilitySource } from "../../core/cart/availability-source.ts";
import { type CartDeps, type CartPolicy, DEFAULT_CART_POLICY } from "../../core/cart/cart-deps.ts";
import type { CartRepository } from "../../core/cart/cart-repository.ts";
import type { CheckoutSnapshotRepository } from "../../core/cart/checkout-snapshot.ts";
import type { RedemptionLedger } from "../../core/cart/order-redemptions.ts";
import type { PriceSource } from "../../core/cart/price-source.ts";
import type { PromotionRepository } from "../../core/cart/promotion-repository.ts";
import type { TaxRateRepository } from "../../core/cart/tax-rate-repository.ts";
import { MemoryCheckoutSnapshotRepository } from "../../adapters/memory/cart/memory-checkout-snapshot-repository.ts";
import { MemoryPromotionRepository } from "../../adapters/memory/cart/memory-promotion-repository.ts";
import { MemoryRedemptionLedger } from "../../adapters/memory/cart/memory-redemption-ledger.ts";
import { MemoryTaxRateRepository } from "../../adapters/memory/cart/memory-tax-rate-repository.ts";
import { cartEntities } from "../../adapters/mikro-orm/cart/cart-record.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import { CartService } from "../../gen/shop/cart/v1/cart_pb.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import type { BackgroundTask } from "../runtime/relational-context.ts";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSettings } from "../runtime/retention-config.ts";
import { startRetentionSweeper } from "../runtime/retention-sweeper.ts";
import { tenantCurrency } from "../runtime/tenant-currency.ts";
import { DEFAULT_CART_FALLBACK_CURRENCY } from "./cart-config.ts";
import { CART_INTERNAL_METHODS, cartHandlers } from "./cart-handlers.ts";
import { subscribeCartToOrderEvents } from "./order-events-subscription.ts";

export { cartEntities };

export interface CartModuleDeps {
  /** Redis in front of the database in the mesh; the database alone, or memory, embedded. */
  readonly carts: CartRepository;
  /** Catalog (prices) and inventory (availability), over Connect clients. */
  readonly prices: PriceSource;
  readonly availability: AvailabilitySource;
  /** The tenant's promotions and tax rates (`cartSqlStores`); memory when not given (gone at restart). */
  readonly promotions?: PromotionRepository;
  readonly taxRates?: TaxRateRepository;
  /** Checkout snapshots and redemptions (`cartSqlStores`); memory when not given. */
  readonly snapshots?: CheckoutSnapshotRepository;
  readonly redemptions?: RedemptionLedger;
  /** Where `order-events` come from (Kafka in the mesh, the in-process bus embedded); none: not consumed. */
  readonly orderEvents?: {
    readonly consumer: EventConsumer;
    readonly processedEvents: ProcessedEvents;
    /** `order-events` and `cart` unless a test names its own. */
    readonly topic?: string;
    readonly group?: string;
  };
  readonly clock: Clock;
  readonly logger: Logger;
  readonly resolveIdentity: IdentityResolver;
  readonly policy?: CartPolicy;
  /** Where tenants' currencies come from (the mesh replica; auth's tenants embedded); without one, every tenant uses `currency`. */
  readonly tenants?: Pick<TenantDirectory, "currencyOf">;
  /** The currency of a tenant `tenants` does not know (`SHOPMESH_CART_CURRENCY`, default EUR). */
  readonly currency?: string;
  /** Probes of the stores the carts live in (the database). */
  readonly probes?: readonly HealthProbe[];
  /** Closes the stores, after the server drained. */
  readonly close?: () => Promise<void>;
  /** What the retention sweeper deletes (`cartSqlStores`); none: no sweeper (memory stores). */
  readonly retentionTargets?: (settings: RetentionSettings) => readonly RetentionTarget[];
  /** The sweeper's settings (docs: Retention); defaults when not given. */
  readonly retention?: RetentionSettings;
}

/**
 * The cart context, the same in its own process and in the embedded one: CartService and, when
 * given a consumer, the `order-events` subscription (redemptions, clearing ordered carts); on
 * the SQL stores, the retention sweeper.
 */
export function cartModule(deps: CartModuleDeps): ContextModule & { readonly useCases: CartDeps } {
  const promotions = deps.promotions ?? new MemoryPromotionRepository();
  const useCases: CartDeps = {
    carts: deps.carts,
    prices: deps.prices,
    availability: deps.availability,
    promotions,
    taxRates: deps.taxRates ?? new MemoryTaxRateRepository(),
    snapshots: deps.snapshots ?? new MemoryCheckoutSnapshotRepository(),
    redemptions:
      deps.redemptions ??
      new MemoryRedemptionLedger(promotions instanceof MemoryPromotionRepository ? promotions : new MemoryPromotionRepository()),
    clock: deps.clock,
    newId: randomId,
    policy: deps.policy ?? DEFAULT_CART_POLICY,
    currencyOf: tenantCurrency(deps.tenants, deps.currency ?? DEFAULT_CART_FALLBACK_CURRENCY),
  };
  const options = { logger: deps.logger, resolveIdentity: deps.resolveIdentity, internalMethods: CART_INTERNAL_METHODS };
  let orderEvents: RunningSubscription | undefined;
  let sweeper: BackgroundTask | undefined;
  return {
    name: "cart",
    handlers: [serviceHandlers(CartService, cartHandlers(useCases), options)],
    probes: deps.probes ?? [],
    useCases,
    async start() {
      if (deps.retentionTargets) {
        const settings = deps.retention ?? DEFAULT_RETENTION_SETTINGS;
        const targets = deps.retentionTargets(settings);
        sweeper = startRetentionSweeper({ context: "cart", targets, clock: deps.clock, settings, logger: deps.logger });
      }
      if (deps.orderEvents) {
        orderEvents = await subscribeCartToOrderEvents({ ...deps.orderEvents, cart: useCases, logger: deps.logger });
      }
    },
    async stop() {
      await orderEvents?.stop();
      await sweeper?.stop();
      await deps.close?.();
    },
  };
}
