import type { Redis } from "ioredis";
import type { TenantId } from "../../core/kit/request-context.ts";
import type { ProfileCache } from "../../core/users/profile-cache.ts";
import { decodeUserView, encodeUserView } from "../../core/users/user-view.ts";

export interface RedisProfileCacheOptions {
  /** How long a copy may live; also the bound on staleness when an invalidation was lost to an outage. */
  readonly ttlSeconds: number;
  /** A command failed (the caller got a miss or a no-op): log it, count it. */
  readonly onError?: (error: unknown, operation: "get" | "put" | "invalidate") => void;
}

/** `users:<tenant>:profile:<user id>`: the tenant is in every key. */
export const profileKey = (tenantId: TenantId, userId: string) => `users:${tenantId}:profile:${userId}`;

/**
 * Profiles in Redis as JSON with a TTL. Never throws: a failed or unreadable read is a miss,
 * a failed write or delete is skipped, and the use case goes to the database.
 */
export function createRedisProfileCache(redis: Redis, options: RedisProfileCacheOptions): ProfileCache {
  const report = options.onError ?? (() => {});
  return {
    async get(tenantId, userId) {
      try {
        const text = await redis.get(profileKey(tenantId, userId));
        return text === null ? undefined : decodeUserView(text);
      } catch (error) {
        report(error, "get");
        return undefined;
      }
    },
    async put(tenantId, view) {
      try {
        await redis.set(profileKey(tenantId, view.id), encodeUserView(view), "EX", options.ttlSeconds);
      } catch (error) {
        report(error, "put");
      }
    },
    async invalidate(tenantId, userId) {
      try {
        await redis.del(profileKey(tenantId, userId));
      } catch (error) {
        report(error, "invalidate");
      }
    },
  };
}
