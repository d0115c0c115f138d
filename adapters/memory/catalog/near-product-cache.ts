import type { CachedListing, ProductCache } from "../../../core/catalog/product-cache.ts";
import type { ProductSnapshot } from "../../../core/catalog/product.ts";
import type { Clock } from "../../../core/kit/clock.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";

export interface NearProductCacheOptions {
  /** How long this process trusts a copy without asking the shared cache (short: 1-2 s). */
  readonly ttlMs: number;
  readonly clock: Clock;
  /** Entries kept at most, least recently used out first (default 10,000). */
  readonly maxEntries?: number;
}

interface Entry {
  readonly value: unknown;
  /** The tenant's invalidation epoch the value was read under (listings are valid only under the current one). */
  readonly epoch: number;
  readonly expiresAt: number;
}

/**
 * A small in-process cache (L1) in front of the shared one (Redis): a hit costs a Map lookup
 * instead of a round trip and a JSON parse, and hands back the same snapshot object each time
 * (the handler keys its mapped response on it). Bounded LRU by entries, short TTL, tenant in
 * every key. `invalidateProduct` drops the shared copy first, then this process's copy and
 * every listing of the tenant (a per-tenant epoch: a listing read under an older one misses). A
 * copy read before an invalidation and arriving after it is not kept: a miss remembers the
 * tenant's epoch, and the later put is skipped when it moved — the put to the shared cache too,
 * which closes plain cache-aside's race (a database read from before a write, put after the
 * write's invalidation, would sit in Redis for its whole TTL). Each process runs its own
 * invalidation, so a stale put from any process is either skipped or deleted after. Other
 * processes drop their own copies when the same product event reaches their own group; what
 * the TTL bounds is a change that raised no product event in this process (a rating applied by
 * another process). Never throws.
 */
export function createNearProductCache(inner: ProductCache, options: NearProductCacheOptions): ProductCache {
  const entries = new Map<string, Entry>();
  const epochs = new Map<TenantId, number>();
  /** Key -> the tenant's epoch when it missed here: what the following put must still find. */
  const missedAt = new Map<string, number>();
  const maxEntries = options.maxEntries ?? 10_000;
  const now = () => options.clock.now().getTime();
  const epochOf = (tenantId: TenantId) => epochs.get(tenantId) ?? 0;
  const productKey = (tenantId: TenantId, id: string) => `${tenantId}\u0000p\u0000${id}`;
  const listingKey = (tenantId: TenantId, key: string) => `${tenantId}\u0000l\u0000${key}`;

  const get = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    entries.delete(key);
    entries.set(key, entry);
    return entry;
  };
  const put = (key: string, value: unknown, epoch: number) => {
    entries.delete(key);
    entries.set(key, { value, epoch, expiresAt: now() + options.ttlMs });
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  };
  const rememberMiss = (key: string, tenantId: TenantId): number => {
    if (missedAt.size >= maxEntries) missedAt.clear();
    const epoch = epochOf(tenantId);
    missedAt.set(key, epoch);
    return epoch;
  };
  /** The epoch a value about to be put was read under: the miss's, else now. */
  const readEpoch = (key: string, tenantId: TenantId): number => {
    const epoch = missedAt.get(key) ?? epochOf(tenantId);
    missedAt.delete(key);
    return epoch;
  };
  /** Keeps `value` only if no invalidation of its tenant happened since it was read. */
  const keep = (key: string, tenantId: TenantId, value: unknown, epoch: number) => {
    if (epoch === epochOf(tenantId)) put(key, value, epoch);
  };

  return {
    async getProduct(tenantId, id) {
      const key = productKey(tenantId, id);
      const near = get(key);
      if (near) return near.value as ProductSnapshot;
      const epoch = rememberMiss(key, tenantId);
      const shared = await inner.getProduct(tenantId, id);
      if (shared) {
        missedAt.delete(key);
        keep(key, tenantId, shared, epoch);
      }
      return shared;
    },
    async putProduct(tenantId, product) {
      const key = productKey(tenantId, product.id);
      const epoch = readEpoch(key, tenantId);
      if (epoch !== epochOf(tenantId)) return; // read before an invalidation: neither cache may keep it
      await inner.putProduct(tenantId, product);
      keep(key, tenantId, product, epoch);
    },
    async getListing(tenantId, key) {
      const near = listingKey(tenantId, key);
      const hit = get(near);
      if (hit && hit.epoch === epochOf(tenantId)) return hit.value as CachedListing;
      const epoch = rememberMiss(near, tenantId);
      const shared = await inner.getListing(tenantId, key);
      if (shared) {
        missedAt.delete(near);
        keep(near, tenantId, shared, epoch);
      }
      return shared;
    },
    async putListing(tenantId, key, listing) {
      const near = listingKey(tenantId, key);
      const epoch = readEpoch(near, tenantId);
      if (epoch !== epochOf(tenantId)) return;
      await inner.putListing(tenantId, key, listing);
      keep(near, tenantId, listing, epoch);
    },
    async invalidateProduct(tenantId, id) {
      await inner.invalidateProduct(tenantId, id);
      epochs.set(tenantId, epochOf(tenantId) + 1);
      entries.delete(productKey(tenantId, id));
    },
  };
}
