import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { createMemoryLoginLimiter } from "../../../adapters/memory/auth/memory-login-limiter.ts";
import { createRedisLoginLimiter } from "../../../adapters/redis/redis-login-limiter.ts";
import { systemClock } from "../../../core/kit/clock.ts";
import { isDomainError } from "../../../core/kit/domain-error.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { contractLimits, loginLimiterContract } from "./login-limiter.contract.ts";
import { openRedisTestClient } from "./support/redis-test-client.ts";

loginLimiterContract("memory", async (limits) => ({
  limiter: createMemoryLoginLimiter(limits, systemClock),
  dispose: async () => {},
}));

loginLimiterContract("Redis", async (limits) => {
  const client = openRedisTestClient("login_limiter");
  return { limiter: createRedisLoginLimiter(client.redis, { limits, keyPrefix: client.keyPrefix }), dispose: client.dispose };
});

describe("LoginLimiter on Redis: when Redis is away", () => {
  it("when Redis cannot be reached, then attempts fail closed with UNAVAILABLE", async () => {
    const redis = new Redis("redis://127.0.0.1:1", { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    const limiter = createRedisLoginLimiter(redis, { limits: contractLimits });
    const error = await limiter
      .attempt({ tenantId: parseTenantId("acme"), email: "ann@example.com", source: undefined })
      .catch((e: unknown) => e);
    expect(isDomainError(error) && [error.kind, error.code]).toEqual(["unavailable", "AUTH.LIMITER_UNAVAILABLE"]);
    redis.disconnect();
  });
});
