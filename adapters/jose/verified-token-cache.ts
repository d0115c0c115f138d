import type { VerifiedAccessToken } from "../../core/kit/access-token-verifier.ts";

/**
 * Tokens whose signature and claims were checked, keyed by the exact token text: a caller
 * that sends the same token on many calls pays for one signature check, not one per call.
 * An entry lives until the token expires or `maxAgeMs` passes, whichever is first (so that a
 * key taken out of the JWKS stops being trusted soon); the oldest entries go first when full.
 * Any change to a token is a different key, checked in full.
 */
export interface VerifiedTokenCache {
  get(token: string, nowMs: number): VerifiedAccessToken | undefined;
  put(token: string, verified: VerifiedAccessToken, validUntilMs: number, nowMs: number): void;
}

export function createVerifiedTokenCache(options: { maxEntries: number; maxAgeMs: number }): VerifiedTokenCache {
  const entries = new Map<string, { verified: VerifiedAccessToken; until: number }>();
  return {
    get(token, nowMs) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      if (nowMs < entry.until) return entry.verified;
      entries.delete(token);
      return undefined;
    },
    put(token, verified, validUntilMs, nowMs) {
      if (options.maxEntries <= 0) return;
      entries.delete(token);
      entries.set(token, { verified, until: Math.min(validUntilMs, nowMs + options.maxAgeMs) });
      if (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
    },
  };
}
