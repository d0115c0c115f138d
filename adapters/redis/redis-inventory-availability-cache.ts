import type { Redis } from "ioredis";
import type { TenantId } from "../../core/kit/request-context.ts";
import type { AvailabilityCache, CachedAvailability } from "../../core/inventory/availability-cache.ts";

export interface RedisAvailabilityCacheOptions {
  /** How long a copy may live: also the bound on staleness when an invalidation was lost (outage, race with a read). */
  readonly ttlSeconds: number;
  /** A command failed (the caller got a miss or a no-op): log it, count it. */
  readonly onError?: (error: unknown, operation: "get" | "put" | "invalidate") => void;
}

/** `inventory:<tenant>:availability:<sku>`: the tenant is in every key. */
export const availabilityKey = (tenantId: TenantId, sku: string) => `inventory:${tenantId}:availability:${sku}`;

/**
 * Availability per SKU in Redis as JSON with a short TTL: one MGET for a whole batch, one
 * pipeline of SET EX to put the misses back, one DEL after a committed change. A hint for
 * reads only (reservations decide on the database). Never throws: a failed or unreadable read
 * is a miss (the use case reads the database), a failed write or delete is skipped.
 */
export function createRedisAvailabilityCache(redis: Redis, options: RedisAvailabilityCacheOptions): AvailabilityCache {
  const report = options.onError ?? (() => {});
  return {
    async getMany(tenantId, skus) {
      const found = new Map<string, CachedAvailability>();
      if (skus.length === 0) return found;
      let values: (string | null)[];
      try {
        values = await redis.mget(skus.map((sku) => availabilityKey(tenantId, sku)));
      } catch (error) {
        report(error, "get");
        return found;
      }
      skus.forEach((sku, i) => {
        const text = values[i];
        if (text === null || text === undefined) return;
        const entry = decode(sku, text);
        if (entry) found.set(sku, entry);
        else report(new Error(`unreadable availability entry of ${sku}`), "get");
      });
      return found;
    },
    async putMany(tenantId, entries) {
      if (entries.length === 0) return;
      try {
        const pipeline = redis.pipeline();
        for (const e of entries) {
          pipeline.set(
            availabilityKey(tenantId, e.sku),
            JSON.stringify({ available: e.available, restockThreshold: e.restockThreshold }),
            "EX",
            options.ttlSeconds,
          );
        }
        const results = (await pipeline.exec()) ?? [];
        const failed = results.find(([error]) => error);
        if (failed) report(failed[0], "put");
      } catch (error) {
        report(error, "put");
      }
    },
    async invalidate(tenantId, skus) {
      if (skus.length === 0) return;
      try {
        await redis.del(...skus.map((sku) => availabilityKey(tenantId, sku)));
      } catch (error) {
        report(error, "invalidate");
      }
    },
  };
}

function decode(sku: string, text: string): CachedAvailability | undefined {
  try {
    const parsed = JSON.parse(text) as { available?: unknown; restockThreshold?: unknown };
    if (!Number.isInteger(parsed.available) || !Number.isInteger(parsed.restockThreshold)) return undefined;
    return { sku, available: parsed.available as number, restockThreshold: parsed.restockThreshold as number };
  } catch {
    return undefined;
  }
}
