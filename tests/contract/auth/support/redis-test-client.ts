import { Redis } from "ioredis";
import { requiredEnv } from "../../../support/required-env.ts";
import { uniqueName } from "../../../support/unique-name.ts";

/** A connection to the local Redis and a key prefix no other suite uses; dispose deletes its keys. */
export function openRedisTestClient(purpose: string): { redis: Redis; keyPrefix: string; dispose(): Promise<void> } {
  const redis = new Redis(requiredEnv("SHOPMESH_REDIS_URL"), { lazyConnect: false, maxRetriesPerRequest: 1 });
  const keyPrefix = `${uniqueName(`shopmesh_test_${purpose}`)}:`;
  return {
    redis,
    keyPrefix,
    async dispose() {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== "0");
      await redis.quit();
    },
  };
}
