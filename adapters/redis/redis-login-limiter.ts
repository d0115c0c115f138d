import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { LoginAttemptKeys, LoginAttemptVerdict, LoginLimiter, LoginLimits } from "../../core/auth/login-limiter.ts";
import { unavailable } from "../../core/kit/domain-error.ts";

// Both scripts run atomically in Redis. KEYS: the account key, then the source key when there
// is one. ARGV: max attempts and window (ms) per key, in the same order.
const ATTEMPT = `
local refused, wait = 0, -1
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count >= tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('PTTL', KEYS[i])
    if ttl < 1 then ttl = 1 end
    if ttl > wait then refused, wait = i, ttl end
  end
end
if refused > 0 then return {refused, wait} end
for i = 1, #KEYS do
  redis.call('INCR', KEYS[i])
  if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i]) end
end
return {0, 0}
`;

const SUCCEEDED = `
redis.call('DEL', KEYS[1])
if #KEYS > 1 and tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 0
`;

export interface RedisLoginLimiterOptions {
  readonly limits: LoginLimits;
  /** Prepended to every key; tests give each suite its own. */
  readonly keyPrefix?: string;
}

/**
 * Fixed-window login limits in Redis, shared by every auth replica. Keys:
 * `<prefix>login:{<tenant>}:account:<sha256(email), 32 hex>` and
 * `<prefix>login:{<tenant>}:source:<address or IPv6 /64>`; the `{tenant}` hash tag puts both
 * keys of a login in one Redis Cluster slot, as a script needs. No email is stored in clear.
 * A window starts at its first counted attempt (PEXPIRE on the first INCR) and the key
 * expires with it, so Redis holds nothing for accounts nobody is guessing at.
 * Fails closed: when Redis cannot answer, logins are UNAVAILABLE (`AUTH.LIMITER_UNAVAILABLE`)
 * rather than unlimited.
 */
export function createRedisLoginLimiter(redis: Redis, options: RedisLoginLimiterOptions): LoginLimiter {
  const prefix = options.keyPrefix ?? "shopmesh:auth:";
  const { account, source } = options.limits;
  const keysOf = (keys: LoginAttemptKeys): string[] => {
    const base = `${prefix}login:{${keys.tenantId}}:`;
    const accountKey = `${base}account:${createHash("sha256").update(keys.email).digest("hex").slice(0, 32)}`;
    return keys.source === undefined ? [accountKey] : [accountKey, `${base}source:${keys.source}`];
  };
  return {
    async attempt(keys): Promise<LoginAttemptVerdict> {
      const redisKeys = keysOf(keys);
      const args = [account.maxAttempts, account.windowMs, source.maxAttempts, source.windowMs].slice(0, 2 * redisKeys.length);
      const [refused, wait] = (await redis
        .eval(ATTEMPT, redisKeys.length, ...redisKeys, ...args)
        .catch((error: unknown) => Promise.reject(limiterDown(error)))) as [number, number];
      if (refused === 0) return { allowed: true };
      return { allowed: false, limit: refused === 1 ? "account" : "source", retryAfterMs: wait };
    },
    async succeeded(keys) {
      const redisKeys = keysOf(keys);
      await redis.eval(SUCCEEDED, redisKeys.length, ...redisKeys).catch((error: unknown) => Promise.reject(limiterDown(error)));
    },
  };
}

const limiterDown = (cause: unknown) =>
  unavailable("AUTH.LIMITER_UNAVAILABLE", "login attempts cannot be counted right now", cause);
