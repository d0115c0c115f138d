import { afterAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { createMemoryAvailabilityCache } from "../../../adapters/memory/inventory/memory-availability-cache.ts";
import { availabilityKey, createRedisAvailabilityCache } from "../../../adapters/redis/redis-inventory-availability-cache.ts";
import { redisTestClients, UNREACHABLE_REDIS_URL } from "../../support/redis-test-clients.ts";
import { availabilityCacheContract } from "./availability-cache.contract.ts";

availabilityCacheContract("memory", async () => {
  const clock = fixedClock(new Date("2026-11-01T00:00:00Z"));
  return {
    cache: createMemoryAvailabilityCache({ ttlMs: 1_000, clock }),
    ttlPassed: async () => clock.advance(1_000),
    dispose: async () => {},
  };
});

const redisClients = redisTestClients();
const redisAt = redisClients.at;
const readyRedis = redisClients.ready;
afterAll(() => redisClients.closeAll());

availabilityCacheContract("Redis", async () => {
  const redis = await readyRedis();
  return {
    cache: createRedisAvailabilityCache(redis, { ttlSeconds: 1 }),
    ttlPassed: () => new Promise((resolve) => setTimeout(resolve, 1_100)),
    unreachable: async () => createRedisAvailabilityCache(redisAt(UNREACHABLE_REDIS_URL), { ttlSeconds: 60 }),
    dispose: async () => {},
  };
});

describe("Redis availability cache, beyond the contract", () => {
  it("when availability is cached, then its key names the tenant and it expires by itself", async () => {
    const redis = await readyRedis();
    const tenant = parseTenantId(`keys-${Date.now().toString(36)}`);
    await createRedisAvailabilityCache(redis, { ttlSeconds: 5 }).putMany(tenant, [
      { sku: "sku-1", available: 3, restockThreshold: 1 },
    ]);
    expect(availabilityKey(tenant, "sku-1")).toBe(`inventory:${tenant}:availability:sku-1`);
    const ttl = await redis.ttl(availabilityKey(tenant, "sku-1"));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5);
    await redis.del(availabilityKey(tenant, "sku-1"));
  });

  it("when a stored entry is unreadable, then it is a miss and the error is reported", async () => {
    const redis = await readyRedis();
    const tenant = parseTenantId(`junk-${Date.now().toString(36)}`);
    const errors: string[] = [];
    const cache = createRedisAvailabilityCache(redis, { ttlSeconds: 60, onError: (_e, op) => errors.push(op) });
    await redis.set(availabilityKey(tenant, "sku-1"), "{not json", "EX", 60);
    await redis.set(availabilityKey(tenant, "sku-2"), JSON.stringify({ available: 4, restockThreshold: 0 }), "EX", 60);
    const found = await cache.getMany(tenant, ["sku-1", "sku-2"]);
    expect([...found.keys()]).toEqual(["sku-2"]);
    expect(errors).toEqual(["get"]);
    await redis.del(availabilityKey(tenant, "sku-1"), availabilityKey(tenant, "sku-2"));
  });
});
