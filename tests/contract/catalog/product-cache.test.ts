import { afterAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { Product } from "../../../core/catalog/product.ts";
import type { ProductCache } from "../../../core/catalog/product-cache.ts";
import { fixedClock } from "../../../core/kit/clock.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { createMemoryProductCache } from "../../../adapters/memory/catalog/memory-product-cache.ts";
import { createRedisClient, whenReady } from "../../../adapters/redis/redis-client.ts";
import { createRedisProductCache } from "../../../adapters/redis/catalog-product-cache.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { aProduct } from "../../unit/catalog/catalog-builders.ts";

interface CacheFixture {
  readonly cache: ProductCache;
  ttlPassed(): Promise<void>;
}

const tenant = () => parseTenantId(`cache-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`);
const product = (tenantId: ReturnType<typeof tenant>) =>
  Product.create(
    { tenantId, id: `p-${Math.random()}`, creationKey: "k-1", content: aProduct(), currency: "EUR" },
    new Date("2026-11-01T00:00:00Z"),
  ).snapshot();

/** The ProductCache port, run against every adapter. */
function productCacheContract(adapter: string, setup: () => Promise<CacheFixture>): void {
  describe(`product cache contract: ${adapter}`, () => {
    it("when a product is put, then its tenant reads it back equal and another tenant misses", async () => {
      const { cache } = await setup();
      const a = tenant();
      const p = product(a);
      await cache.putProduct(a, p);
      expect(await cache.getProduct(a, p.id)).toEqual(p);
      expect(await cache.getProduct(tenant(), p.id)).toBeUndefined();
    });

    it("when a product is invalidated, then it and every listing of its tenant miss, other tenants' listings stay", async () => {
      const { cache } = await setup();
      const a = tenant();
      const b = tenant();
      const p = product(a);
      await cache.putProduct(a, p);
      await cache.putListing(a, "newest", { products: [p], nextPageToken: undefined });
      await cache.putListing(b, "newest", { products: [], nextPageToken: "t" });
      expect(await cache.getListing(a, "newest")).toEqual({ products: [p], nextPageToken: undefined });

      await cache.invalidateProduct(a, p.id);

      expect(await cache.getProduct(a, p.id)).toBeUndefined();
      expect(await cache.getListing(a, "newest")).toBeUndefined();
      expect(await cache.getListing(b, "newest")).toEqual({ products: [], nextPageToken: "t" });
    });

    it("when the TTL has passed, then the entry is gone", async () => {
      const { cache, ttlPassed } = await setup();
      const a = tenant();
      const p = product(a);
      await cache.putProduct(a, p);
      await ttlPassed();
      expect(await cache.getProduct(a, p.id)).toBeUndefined();
    });
  });
}

productCacheContract("memory", async () => {
  const clock = fixedClock(new Date("2026-11-01T00:00:00Z"));
  return { cache: createMemoryProductCache({ ttlMs: 1_000, clock }), ttlPassed: async () => clock.advance(1_000) };
});

const clients: Redis[] = [];
afterAll(() => {
  for (const client of clients) client.disconnect();
});
async function redisAt(url: string, ready = true): Promise<Redis> {
  const redis = createRedisClient(url, { onError: () => {} });
  clients.push(redis);
  if (ready && !(await whenReady(redis, 5_000))) throw new Error("Redis did not answer within 5 s");
  return redis;
}

productCacheContract("Redis", async () => ({
  cache: createRedisProductCache(await redisAt(requiredEnv("SHOPMESH_REDIS_URL")), { ttlSeconds: 1 }),
  ttlPassed: () => new Promise((resolve) => setTimeout(resolve, 1_100)),
}));

describe("Redis product cache, beyond the contract", () => {
  it("when Redis is unreachable, then reads miss and writes are skipped without throwing", async () => {
    const errors: string[] = [];
    const cache = createRedisProductCache(await redisAt("redis://127.0.0.1:1", false), {
      ttlSeconds: 60,
      onError: (_e, op) => errors.push(op),
    });
    const a = tenant();
    const p = product(a);
    await expect(cache.putProduct(a, p)).resolves.toBeUndefined();
    await expect(cache.getProduct(a, p.id)).resolves.toBeUndefined();
    await expect(cache.invalidateProduct(a, p.id)).resolves.toBeUndefined();
    expect(errors).toEqual(["put", "get", "invalidate"]);
  });
});
