/** How the signing key ring rotates. All durations in milliseconds. */
export interface SigningKeyPolicy {
  /** A current key is replaced once it has signed for this long. */
  readonly rotateAfterMs: number;
  /**
   * A new key is published (JWKS) this long before it signs, so that every verifier's cached
   * key set holds it by then: at least the verifiers' JWKS refresh interval.
   */
  readonly publishAheadMs: number;
  /** The longest lifetime of an access token signed with the ring. */
  readonly maxTokenTtlMs: number;
  /** Added to how long a replaced key keeps verifying: clock skew, tokens signed in flight. */
  readonly leewayMs: number;
}

const DAY = 86_400_000;

export const defaultSigningKeyPolicy = {
  rotateAfterMs: 30 * DAY,
  publishAheadMs: 15 * 60_000,
  leewayMs: 60_000,
} as const;

/** Fills the defaults and checks the durations; a bad policy is a configuration bug. */
export function signingKeyPolicy(policy: Partial<SigningKeyPolicy> & Pick<SigningKeyPolicy, "maxTokenTtlMs">): SigningKeyPolicy {
  const full: SigningKeyPolicy = { ...defaultSigningKeyPolicy, ...policy };
  for (const [name, value] of Object.entries(full)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`signing key policy: ${name} must be >= 0, got ${value}`);
  }
  if (full.maxTokenTtlMs <= 0) throw new RangeError("signing key policy: maxTokenTtlMs must be > 0");
  if (full.rotateAfterMs <= full.publishAheadMs) {
    throw new RangeError("signing key policy: rotateAfterMs must be longer than publishAheadMs");
  }
  return full;
}

/** Until when a key replaced at `rotatedAt` still verifies: every token it signed has expired by then. */
export function verifyUntilAfterRotation(rotatedAt: Date, policy: SigningKeyPolicy): Date {
  return new Date(rotatedAt.getTime() + policy.maxTokenTtlMs + policy.leewayMs);
}
