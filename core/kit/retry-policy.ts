/** Exponential backoff: attempt 1 waits initialDelayMs, each next attempt twice as long, capped. */
export interface RetryPolicy {
  /** Handler attempts before the event is dead-lettered (1 = no retry). */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 10_000 };

/** The wait after failed attempt number `attempt` (1-based). */
export function retryDelayMs(policy: Pick<RetryPolicy, "initialDelayMs" | "maxDelayMs">, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
}
