import { Redis } from "ioredis";

export interface RedisClientOptions {
  /** A command that takes longer fails (and a cache treats it as a miss). Default 250 ms. */
  readonly commandTimeoutMs?: number;
  /** Connection problems; ioredis keeps reconnecting in the background. */
  readonly onError?: (error: Error) => void;
}

/**
 * A Redis connection for caches: commands fail fast instead of queueing while the server is
 * away (no offline queue, no per-command retries, a command timeout), so a cache outage costs
 * a caller milliseconds, not its deadline. Reconnects in the background with a capped backoff.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  redis.on("error", (error: Error) => options.onError?.(error));
  return redis;
}

/**
 * Waits until the connection is ready, at most `timeoutMs`: true when it is. A process starts
 * either way (its cache then misses until Redis answers), but waiting a moment at start-up
 * keeps the first requests from missing needlessly.
 */
export function whenReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once("ready", onReady);
  });
}
