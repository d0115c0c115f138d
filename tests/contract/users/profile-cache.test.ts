import { afterAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { createMemoryProfileCache } from "../../../adapters/memory/users/memory-profile-cache.ts";
import { createRedisProfileCache, profileKey } from "../../../adapters/redis/redis-profile-cache.ts";
import { redisTestClients, UNREACHABLE_REDIS_URL } from "../../support/redis-test-clients.ts";
import { profileCacheContract } from "./profile-cache.contract.ts";

profileCacheContract("memory", async () => {
  const clock = fixedClock(new Date("2026-11-01T00:00:00Z"));
  return {
    cache: createMemoryProfileCache({ ttlMs: 1_000, clock }),
    ttlPassed: async () => clock.advance(1_000),
    dispose: async () => {},
  };
});

const redisClients = redisTestClients();
const redisAt = redisClients.at;
const readyRedis = redisClients.ready;
afterAll(() => redisClients.closeAll());

profileCacheContract("Redis", async () => {
  const redis = await readyRedis();
  return {
    cache: createRedisProfileCache(redis, { ttlSeconds: 1 }),
    ttlPassed: () => new Promise((resolve) => setTimeout(resolve, 1_100)),
    unreachable: async () => createRedisProfileCache(redisAt(UNREACHABLE_REDIS_URL), { ttlSeconds: 60 }),
    dispose: async () => {},
  };
});

describe("Redis profile cache, beyond the contract", () => {
  it("when a profile is cached, then its key names the tenant and it expires by itself", async () => {
    const redis = await readyRedis();
    const tenant = parseTenantId(`keys-${Date.now().toString(36)}`);
    const cache = createRedisProfileCache(redis, { ttlSeconds: 300 });
    await cache.put(tenant, {
      id: "u-1",
      email: "a@example.com",
      emailVerified: false,
      displayName: "A",
      phoneNumber: undefined,
      status: "active",
      roles: ["customer"],
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    expect(profileKey(tenant, "u-1")).toBe(`users:${tenant}:profile:u-1`);
    const ttl = await redis.ttl(profileKey(tenant, "u-1"));
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
    await redis.del(profileKey(tenant, "u-1"));
  });

  it("when a stored entry is unreadable, then it is a miss and the error is reported", async () => {
    const redis = await readyRedis();
    const tenant = parseTenantId(`junk-${Date.now().toString(36)}`);
    const errors: string[] = [];
    const cache = createRedisProfileCache(redis, { ttlSeconds: 60, onError: (_e, op) => errors.push(op) });
    await redis.set(profileKey(tenant, "u-1"), "{not json", "EX", 60);
    expect(await cache.get(tenant, "u-1")).toBeUndefined();
    expect(errors).toEqual(["get"]);
  });
});
