import type { Clock } from "../../core/kit/clock.ts";
import type { EventConsumer } from "../../core/kit/event-consumer.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import { randomId } from "../../core/kit/ids.ts";
import type { TenantDirectory } from "../../core/kit/tenant-directory.ts";
import { MemoryCategoryRepository } from "../../adapters/memory/catalog/memory-category-repository.ts";
import { createMemoryProductCache } from "../../adapters/memory/catalog/memory-product-cache.ts";
import { startMemoryProductOutboxRelay } from "../../adapters/memory/catalog/memory-product-outbox-relay.ts";
import { MemoryProductRepository } from "../../adapters/memory/catalog/memory-product-repository.ts";
import { MemorySearchIndex } from "../../adapters/memory/catalog/memory-search-index.ts";
import { createMemoryProcessedEvents } from "../../adapters/memory/memory-processed-events.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import { catalogModule } from "./catalog-module.ts";
import { productEventMapper } from "./product-event-mapper.ts";
import { tenantCurrency } from "../runtime/tenant-currency.ts";

/** The catalog on in-memory documents and cache (the embedded mode; forgotten on restart). */
export function embeddedCatalogModule(options: {
  readonly publisher: EventPublisher;
  readonly consumer: EventConsumer;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly resolveIdentity: IdentityResolver;
  /** Where tenants' currencies come from (auth's tenants, embedded); without one, every tenant uses `currency`. */
  readonly tenants?: Pick<TenantDirectory, "currencyOf">;
  /** The currency of a tenant `tenants` does not know (default EUR). */
  readonly currency?: string;
}): ContextModule {
  const products = new MemoryProductRepository(productEventMapper);
  return catalogModule({
    deps: {
      products,
      categories: new MemoryCategoryRepository(),
      cache: createMemoryProductCache({ ttlMs: 60_000, clock: options.clock }),
      searchIndex: new MemorySearchIndex(),
      clock: options.clock,
      newId: randomId,
      currencyOf: tenantCurrency(options.tenants, options.currency ?? "EUR"),
    },
    startRelay: async () => startMemoryProductOutboxRelay(products, options.publisher),
    consumer: options.consumer,
    processedEvents: createMemoryProcessedEvents(),
    probes: [],
    logger: options.logger,
    resolveIdentity: options.resolveIdentity,
    cacheGroup: "catalog-cache",
  });
}
