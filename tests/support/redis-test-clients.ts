import type { Redis } from "ioredis";
import { createRedisClient, whenReady } from "../../adapters/redis/redis-client.ts";
import { requiredEnv } from "./required-env.ts";

/** Port 1 on loopback: nothing listens there, so connections are refused at once. */
export const UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1";

/** Redis clients for a suite, made through the project's own client factory; close them all in afterAll. */
export function redisTestClients() {
  const clients: Redis[] = [];
  const at = (url: string): Redis => {
    const redis = createRedisClient(url, { onError: () => {} });
    clients.push(redis);
    return redis;
  };
  return {
    at,
    /** The local Redis, once it answers. */
    async ready(): Promise<Redis> {
      const redis = at(requiredEnv("SHOPMESH_REDIS_URL"));
      if (!(await whenReady(redis, 5_000))) throw new Error("Redis did not answer within 5 s");
      return redis;
    },
    closeAll(): void {
      for (const client of clients.splice(0)) client.disconnect();
    },
  };
}
