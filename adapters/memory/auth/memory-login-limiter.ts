import type { LoginAttemptKeys, LoginAttemptVerdict, LoginLimiter, LoginLimits } from "../../../core/auth/login-limiter.ts";
import type { Clock } from "../../../core/kit/clock.ts";

interface Window {
  count: number;
  endsAt: number;
}

/**
 * Fixed windows in a Map, with the Redis adapter's contract: for unit tests and the embedded
 * process (one process, so its counts are the whole truth). Expired windows are dropped lazily.
 */
export function createMemoryLoginLimiter(limits: LoginLimits, clock: Clock): LoginLimiter {
  const windows = new Map<string, Window>();
  const live = (key: string, now: number): Window | undefined => {
    const window = windows.get(key);
    if (window && window.endsAt <= now) windows.delete(key);
    return window && window.endsAt > now ? window : undefined;
  };
  const scopes = (keys: LoginAttemptKeys): { limit: "account" | "source"; key: string }[] => [
    { limit: "account", key: JSON.stringify([keys.tenantId, "account", keys.email]) },
    ...(keys.source === undefined
      ? []
      : [{ limit: "source" as const, key: JSON.stringify([keys.tenantId, "source", keys.source]) }]),
  ];
  return {
    async attempt(keys): Promise<LoginAttemptVerdict> {
      const now = clock.now().getTime();
      let refused: LoginAttemptVerdict | undefined;
      for (const { limit, key } of scopes(keys)) {
        const window = live(key, now);
        if (window && window.count >= limits[limit].maxAttempts) {
          const retryAfterMs = window.endsAt - now;
          if (!refused || refused.allowed || retryAfterMs > refused.retryAfterMs)
            refused = { allowed: false, limit, retryAfterMs };
        }
      }
      if (refused) return refused;
      for (const { limit, key } of scopes(keys)) {
        const window = live(key, now);
        if (window) window.count++;
        else windows.set(key, { count: 1, endsAt: now + limits[limit].windowMs });
      }
      return { allowed: true };
    },
    async succeeded(keys) {
      const now = clock.now().getTime();
      for (const { limit, key } of scopes(keys)) {
        if (limit === "account") windows.delete(key);
        else {
          const window = live(key, now);
          if (window && window.count > 0) window.count--;
        }
      }
    },
  };
}
