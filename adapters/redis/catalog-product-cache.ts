import type { Redis } from "ioredis";
import type { CachedListing, ProductCache } from "../../core/catalog/product-cache.ts";
import type { ProductSnapshot } from "../../core/catalog/product.ts";
import type { TenantId } from "../../core/kit/request-context.ts";

export interface RedisProductCacheOptions {
  readonly ttlSeconds: number;
  readonly onError?: (error: unknown, operation: string) => void;
}

/** `catalog:<tenant>:product:<id>`; listings under `catalog:<tenant>:list:<generation>:<key>`. */
export const productKey = (tenantId: TenantId, id: string) => `catalog:${tenantId}:product:${id}`;
const generationKey = (tenantId: TenantId) => `catalog:${tenantId}:list-generation`;
const listingKey = (tenantId: TenantId, generation: string, key: string) => `catalog:${tenantId}:list:${generation}:${key}`;

/**
 * Product reads and hot listings in Redis as JSON with a TTL. Listings of a tenant hang off a
 * generation counter: invalidating a product bumps it, so every listing of the tenant is
 * missed at once (old ones expire by TTL). Never throws: an outage is a miss.
 */
export function createRedisProductCache(redis: Redis, options: RedisProductCacheOptions): ProductCache {
  const report = options.onError ?? (() => {});
  const guarded = async <T>(operation: string, work: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      report(error, operation);
      return fallback;
    }
  };
  const generation = async (tenantId: TenantId) => (await redis.get(generationKey(tenantId))) ?? "0";
  return {
    getProduct: (tenantId, id) =>
      guarded(
        "get",
        async () => {
          const text = await redis.get(productKey(tenantId, id));
          return text === null ? undefined : decodeProduct(text);
        },
        undefined,
      ),
    putProduct: (tenantId, product) =>
      guarded(
        "put",
        async () => void (await redis.set(productKey(tenantId, product.id), JSON.stringify(product), "EX", options.ttlSeconds)),
        undefined,
      ),
    getListing: (tenantId, key) =>
      guarded(
        "get-listing",
        async () => {
          const text = await redis.get(listingKey(tenantId, await generation(tenantId), key));
          if (text === null) return undefined;
          const parsed = JSON.parse(text) as { products: unknown[]; nextPageToken?: string };
          return {
            products: parsed.products.map((p) => reviveProduct(p)),
            nextPageToken: parsed.nextPageToken,
          } satisfies CachedListing;
        },
        undefined,
      ),
    putListing: (tenantId, key, listing) =>
      guarded(
        "put-listing",
        async () => {
          const text = JSON.stringify(listing);
          await redis.set(listingKey(tenantId, await generation(tenantId), key), text, "EX", options.ttlSeconds);
        },
        undefined,
      ),
    invalidateProduct: (tenantId, id) =>
      guarded(
        "invalidate",
        async () => {
          await redis.multi().del(productKey(tenantId, id)).incr(generationKey(tenantId)).exec();
        },
        undefined,
      ),
  };
}

function decodeProduct(text: string): ProductSnapshot {
  return reviveProduct(JSON.parse(text));
}

function reviveProduct(value: unknown): ProductSnapshot {
  const p = value as ProductSnapshot & { createdAt: string; updatedAt: string };
  return { ...p, createdAt: new Date(p.createdAt), updatedAt: new Date(p.updatedAt) };
}
