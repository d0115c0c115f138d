import { z } from "zod";
import type { Argon2Parameters } from "../../adapters/argon2/argon2-password-hasher.ts";
import { type LoginLimits, loginLimits } from "../../core/auth/login-limiter.ts";
import { type SessionPolicy, sessionPolicy } from "../../core/auth/session-policy.ts";

const count = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * Passwords, sessions and brute-force limits (docs/auth.md, "Login, refresh and sessions").
 * Every default is a cost or a duration, none a secret; the embedded process reads the same.
 */
export const loginConfigFields = {
  /** argon2id memory per hash, KiB. Default: OWASP's 19 MiB. Each concurrent login holds this much. */
  SHOPMESH_ARGON2_MEMORY_KIB: count(19_456, 1_024, 1_048_576),
  /** argon2id passes over the memory. */
  SHOPMESH_ARGON2_ITERATIONS: count(2, 1, 20),
  /** argon2id lanes per hash. */
  SHOPMESH_ARGON2_PARALLELISM: count(1, 1, 16),
  /** A session not refreshed for this long ends (default 14 days). */
  SHOPMESH_SESSION_IDLE_TIMEOUT_SECONDS: count(14 * 86_400, 60, 365 * 86_400),
  /** A session ends this long after login, however often it is refreshed (default 30 days). */
  SHOPMESH_SESSION_MAX_AGE_SECONDS: count(30 * 86_400, 60, 365 * 86_400),
  /** Failed logins per account (tenant + email) per window. */
  SHOPMESH_LOGIN_ACCOUNT_MAX_FAILURES: count(10, 1, 1_000),
  SHOPMESH_LOGIN_ACCOUNT_WINDOW_SECONDS: count(900, 1, 86_400),
  /** Failed logins per source address (IPv4, or IPv6 /64) per window, across accounts. */
  SHOPMESH_LOGIN_SOURCE_MAX_FAILURES: count(100, 1, 100_000),
  SHOPMESH_LOGIN_SOURCE_WINDOW_SECONDS: count(900, 1, 86_400),
  /**
   * How many proxies in front of auth append to `x-forwarded-for` (the mesh's ingress gateway:
   * 1). The client is the entry that many places from the right; entries further left are
   * whatever the client sent and are never believed. 0: no source limit (no trusted proxy).
   */
  SHOPMESH_TRUSTED_PROXY_HOPS: count(1, 0, 10),
};

type LoginConfig = { [K in keyof typeof loginConfigFields]: number };

export interface LoginSettings {
  readonly argon2: Argon2Parameters;
  readonly sessions: SessionPolicy;
  readonly limits: LoginLimits;
  readonly trustedProxyHops: number;
}

/** The parsed fields as the settings the auth module takes; inconsistent values stop start-up. */
export function loginSettings(config: LoginConfig): LoginSettings {
  return {
    argon2: {
      memoryKib: config.SHOPMESH_ARGON2_MEMORY_KIB,
      iterations: config.SHOPMESH_ARGON2_ITERATIONS,
      parallelism: config.SHOPMESH_ARGON2_PARALLELISM,
    },
    sessions: sessionPolicy({
      idleTimeoutMs: config.SHOPMESH_SESSION_IDLE_TIMEOUT_SECONDS * 1_000,
      maxAgeMs: config.SHOPMESH_SESSION_MAX_AGE_SECONDS * 1_000,
    }),
    limits: loginLimits({
      account: {
        maxAttempts: config.SHOPMESH_LOGIN_ACCOUNT_MAX_FAILURES,
        windowMs: config.SHOPMESH_LOGIN_ACCOUNT_WINDOW_SECONDS * 1_000,
      },
      source: {
        maxAttempts: config.SHOPMESH_LOGIN_SOURCE_MAX_FAILURES,
        windowMs: config.SHOPMESH_LOGIN_SOURCE_WINDOW_SECONDS * 1_000,
      },
    }),
    trustedProxyHops: config.SHOPMESH_TRUSTED_PROXY_HOPS,
  };
}
