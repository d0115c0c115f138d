import { afterAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { Product } from "../../../core/catalog/product.ts";
import type { ProductCache } from "../../../core/catalog/product-cache.ts";
import { fixedClock, systemClock } from "../../../core/kit/clock.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { createMemoryProductCache } from "../../../adapters/memory/catalog/memory-product-cache.ts";
import { createNearProductCache } from "../../../adapters/memory/catalog/near-product-cache.ts";
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

productCacheContract("near cache over memory", async () => {
  const clock = fixedClock(new Date("2026-11-01T00:00:00Z"));
  const shared = createMemoryProductCache({ ttlMs: 1_000, clock });
  return { cache: createNearProductCache(shared, { ttlMs: 1_000, clock }), ttlPassed: async () => clock.advance(1_000) };
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

productCacheContract("near cache over Redis", async () => ({
  cache: createNearProductCache(createRedisProductCache(await redisAt(requiredEnv("SHOPMESH_REDIS_URL")), { ttlSeconds: 1 }), {
    ttlMs: 1_000,
    clock: systemClock,
  }),
  ttlPassed: () => new Promise((resolve) => setTimeout(resolve, 1_100)),
}));

/** A shared cache that counts reads and can hold a read until the test lets it go. */
function countingCache(inner: ProductCache) {
  const counts = { getProduct: 0, getListing: 0 };
  let gate: Promise<void> | undefined;
  const cache: ProductCache = {
    ...inner,
    async getProduct(tenantId, id) {
      counts.getProduct++;
      const value = await inner.getProduct(tenantId, id);
      await gate;
      return value;
    },
    async getListing(tenantId, key) {
      counts.getListing++;
      return inner.getListing(tenantId, key);
    },
  };
  return {
    cache,
    counts,
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

describe("near product cache, beyond the contract", () => {
  const clock = () => fixedClock(new Date("2026-11-01T00:00:00Z"));

  it("when a product is read twice, then the second read is served in process: same object, no shared read", async () => {
    const time = clock();
    const shared = countingCache(createMemoryProductCache({ ttlMs: 60_000, clock: time }));
    const near = createNearProductCache(shared.cache, { ttlMs: 2_000, clock: time });
    const a = tenant();
    const p = product(a);
    await shared.cache.putProduct(a, p);

    const first = await near.getProduct(a, p.id);
    const second = await near.getProduct(a, p.id);

    expect(second).toBe(first);
    expect(shared.counts.getProduct).toBe(1);
    time.advance(2_000);
    await near.getProduct(a, p.id);
    expect(shared.counts.getProduct).toBe(2);
  });

  it("when an invalidation lands while a miss is being read, then the copy read before it is not kept", async () => {
    const time = clock();
    const shared = countingCache(createMemoryProductCache({ ttlMs: 60_000, clock: time }));
    const near = createNearProductCache(shared.cache, { ttlMs: 60_000, clock: time });
    const a = tenant();
    const p = product(a);
    await shared.cache.putProduct(a, p);

    const release = shared.hold();
    const reading = near.getProduct(a, p.id);
    await near.invalidateProduct(a, p.id);
    release();
    expect(await reading).toEqual(p);

    expect(await near.getProduct(a, p.id)).toBeUndefined();
    expect(shared.counts.getProduct).toBe(2);
  });

  it("when a database load after a miss is put after an invalidation, then neither this process nor the shared cache keeps it", async () => {
    const time = clock();
    const shared = countingCache(createMemoryProductCache({ ttlMs: 60_000, clock: time }));
    const near = createNearProductCache(shared.cache, { ttlMs: 60_000, clock: time });
    const a = tenant();
    const p = product(a);
    expect(await near.getProduct(a, p.id)).toBeUndefined();
    await near.invalidateProduct(a, p.id);
    await near.putProduct(a, p);

    expect(await near.getProduct(a, p.id)).toBeUndefined();
    expect(await shared.cache.getProduct(a, p.id)).toBeUndefined();
    expect(shared.counts.getProduct).toBe(3);
    // A load after the invalidation is kept again (and served in process).
    await near.putProduct(a, p);
    expect(await near.getProduct(a, p.id)).toBe(p);
    expect(shared.counts.getProduct).toBe(3);
  });

  it("when more products than the bound are read, then the least recently used ones leave first", async () => {
    const time = clock();
    const shared = countingCache(createMemoryProductCache({ ttlMs: 60_000, clock: time }));
    const near = createNearProductCache(shared.cache, { ttlMs: 60_000, clock: time, maxEntries: 2 });
    const a = tenant();
    const [p1, p2, p3] = [product(a), product(a), product(a)];
    for (const p of [p1, p2, p3]) await shared.cache.putProduct(a, p);
    await near.getProduct(a, p1.id);
    await near.getProduct(a, p2.id);
    await near.getProduct(a, p1.id); // p1 is now the most recent
    await near.getProduct(a, p3.id); // p2 leaves
    expect(shared.counts.getProduct).toBe(3);
    await near.getProduct(a, p1.id);
    expect(shared.counts.getProduct).toBe(3);
    await near.getProduct(a, p2.id);
    expect(shared.counts.getProduct).toBe(4);
  });

  it("when a tenant's product is invalidated, then another tenant's copies stay in process", async () => {
    const time = clock();
    const shared = countingCache(createMemoryProductCache({ ttlMs: 60_000, clock: time }));
    const near = createNearProductCache(shared.cache, { ttlMs: 60_000, clock: time });
    const [a, b] = [tenant(), tenant()];
    const [pa, pb] = [product(a), product(b)];
    await shared.cache.putProduct(a, pa);
    await shared.cache.putProduct(b, pb);
    await near.getProduct(a, pa.id);
    await near.getProduct(b, pb.id);
    await near.putListing(b, "newest", { products: [pb], nextPageToken: undefined });

    await near.invalidateProduct(a, pa.id);

    expect(await near.getProduct(b, pb.id)).toBe(pb);
    expect(await near.getListing(b, "newest")).toEqual({ products: [pb], nextPageToken: undefined });
    expect(shared.counts.getProduct).toBe(2);
    expect(shared.counts.getListing).toBe(0);
  });

  it("when Redis is unreachable, then the near cache still answers misses without throwing", async () => {
    const near = createNearProductCache(
      createRedisProductCache(await redisAt("redis://127.0.0.1:1", false), { ttlSeconds: 60, onError: () => {} }),
      { ttlMs: 2_000, clock: systemClock },
    );
    const a = tenant();
    const p = product(a);
    await expect(near.getProduct(a, p.id)).resolves.toBeUndefined();
    await expect(near.putProduct(a, p)).resolves.toBeUndefined();
    expect(await near.getProduct(a, p.id)).toBe(p);
    await expect(near.invalidateProduct(a, p.id)).resolves.toBeUndefined();
    expect(await near.getProduct(a, p.id)).toBeUndefined();
  });
});

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
