import type { CachedListing, ProductCache } from "../../../core/catalog/product-cache.ts";
import type { ProductSnapshot } from "../../../core/catalog/product.ts";
import type { Clock } from "../../../core/kit/clock.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";

export interface MemoryProductCacheOptions {
  readonly ttlMs: number;
  readonly clock: Clock;
  /** Entries kept at most, oldest out first (default 10,000). */
  readonly maxEntries?: number;
}

/** The embedded mode's catalog cache: a Map with expiry, tenant in every key, never throws. */
export function createMemoryProductCache(options: MemoryProductCacheOptions): ProductCache {
  const entries = new Map<string, { value: unknown; expiresAt: number }>();
  const maxEntries = options.maxEntries ?? 10_000;
  const now = () => options.clock.now().getTime();
  const get = <T>(key: string): T | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.value as T;
  };
  const put = (key: string, value: unknown) => {
    entries.delete(key);
    entries.set(key, { value, expiresAt: now() + options.ttlMs });
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  };
  return {
    getProduct: async (tenantId, id) => get<ProductSnapshot>(`${tenantId}/product/${id}`),
    putProduct: async (tenantId, product) => put(`${tenantId}/product/${product.id}`, product),
    getListing: async (tenantId, key) => get<CachedListing>(`${tenantId}/listing/${key}`),
    putListing: async (tenantId, key, listing) => put(`${tenantId}/listing/${key}`, listing),
    async invalidateProduct(tenantId: TenantId, id: string) {
      entries.delete(`${tenantId}/product/${id}`);
      for (const key of [...entries.keys()]) if (key.startsWith(`${tenantId}/listing/`)) entries.delete(key);
    },
  };
}
