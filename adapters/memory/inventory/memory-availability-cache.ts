import type { Clock } from "../../../core/kit/clock.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import type { AvailabilityCache, CachedAvailability } from "../../../core/inventory/availability-cache.ts";

export interface MemoryAvailabilityCacheOptions {
  readonly ttlMs: number;
  readonly clock: Clock;
  /** Entries kept at most; the oldest go first (default 50,000). */
  readonly maxEntries?: number;
}

/** The embedded mode's availability cache: a Map with expiry, tenant in every key, never throws. */
export function createMemoryAvailabilityCache(
  options: MemoryAvailabilityCacheOptions,
): AvailabilityCache & { readonly size: number } {
  const entries = new Map<string, { entry: CachedAvailability; expiresAt: number }>();
  const maxEntries = options.maxEntries ?? 50_000;
  const keyOf = (tenantId: TenantId, sku: string) => `${tenantId}\u0000${sku}`;
  return {
    get size() {
      return entries.size;
    },
    async getMany(tenantId, skus) {
      const now = options.clock.now().getTime();
      const found = new Map<string, CachedAvailability>();
      for (const sku of skus) {
        const key = keyOf(tenantId, sku);
        const held = entries.get(key);
        if (!held) continue;
        if (held.expiresAt <= now) entries.delete(key);
        else found.set(sku, held.entry);
      }
      return found;
    },
    async putMany(tenantId, list) {
      const expiresAt = options.clock.now().getTime() + options.ttlMs;
      for (const entry of list) {
        const key = keyOf(tenantId, entry.sku);
        entries.delete(key);
        entries.set(key, { entry: { ...entry }, expiresAt });
      }
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    async invalidate(tenantId, skus) {
      for (const sku of skus) entries.delete(keyOf(tenantId, sku));
    },
  };
}
