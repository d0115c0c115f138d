import type { TenantId } from "../kit/request-context.ts";

/** What one login attempt is counted against. */
export interface LoginAttemptKeys {
  readonly tenantId: TenantId;
  /** The normalized email: the account, whether or not it exists. */
  readonly email: string;
  /** The client address (login-source.ts); undefined when unknown, then only the account counts. */
  readonly source: string | undefined;
}

export type LoginAttemptVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly limit: "account" | "source"; readonly retryAfterMs: number };

/** At most `maxAttempts` failed logins per fixed window of `windowMs`, per key. */
export interface LoginLimit {
  readonly maxAttempts: number;
  readonly windowMs: number;
}

export interface LoginLimits {
  readonly account: LoginLimit;
  readonly source: LoginLimit;
}

/**
 * Brute-force protection. An attempt is counted before the password is checked (so that many
 * parallel guesses cannot all slip under the limit) and taken back when it succeeds: what
 * remains are the failures. A window starts with its first counted attempt.
 */
export interface LoginLimiter {
  /**
   * Counts one attempt against the account and the source, atomically, unless either has used
   * up its window: then nothing is counted, and the verdict says which limit and how long to wait.
   */
  attempt(keys: LoginAttemptKeys): Promise<LoginAttemptVerdict>;
  /** The attempt succeeded: the account's failures are forgiven, and the source gets its attempt back. */
  succeeded(keys: LoginAttemptKeys): Promise<void>;
}

/** Checks the limits; a bad one is a configuration bug. */
export function loginLimits(limits: LoginLimits): LoginLimits {
  for (const [scope, limit] of Object.entries(limits) as [string, LoginLimit][]) {
    if (!Number.isSafeInteger(limit.maxAttempts) || limit.maxAttempts < 1)
      throw new RangeError(`login limits: ${scope}.maxAttempts must be >= 1, got ${limit.maxAttempts}`);
    if (!Number.isSafeInteger(limit.windowMs) || limit.windowMs < 1)
      throw new RangeError(`login limits: ${scope}.windowMs must be >= 1, got ${limit.windowMs}`);
  }
  return limits;
}
