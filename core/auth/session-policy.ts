/** How long a session (a chain of rotating refresh tokens) lives. Milliseconds. */
export interface SessionPolicy {
  /** A session whose refresh token is not used for this long expires. */
  readonly idleTimeoutMs: number;
  /** A session expires this long after login, however often it is refreshed. */
  readonly maxAgeMs: number;
}

/** Checks the durations; a bad policy is a configuration bug. */
export function sessionPolicy(policy: SessionPolicy): SessionPolicy {
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`session policy: ${name} must be > 0, got ${value}`);
  }
  if (policy.idleTimeoutMs > policy.maxAgeMs) throw new RangeError("session policy: idleTimeoutMs must not exceed maxAgeMs");
  return policy;
}
