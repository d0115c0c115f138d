import { type CryptoKey, importPKCS8, SignJWT } from "jose";
import type { AccessTokenIssuer } from "../../core/auth/access-token-issuer.ts";
import type { SigningKey } from "../../core/auth/signing-key.ts";
import { type Clock, systemClock } from "../../core/kit/clock.ts";
import { type IdGenerator, randomId } from "../../core/kit/ids.ts";
import { ACCESS_TOKEN_TYPE, ROLES_CLAIM, SESSION_CLAIM, TENANT_CLAIM } from "./access-token-claims.ts";

export interface JoseAccessTokenIssuerOptions {
  /** The key to sign with now: `() => currentSigningKey(store)` (core/auth/signing-key-ring.ts). */
  readonly signingKey: () => Promise<SigningKey>;
  readonly issuer: string;
  readonly audience: string;
  /** Lifetime of a token; at most the key ring's `maxTokenTtlMs`. */
  readonly ttlSeconds: number;
  readonly clock?: Clock;
  readonly newId?: IdGenerator;
}

/**
 * Signs access tokens: header {alg, kid, typ: "at+jwt"}, claims iss, aud, sub, tid, roles,
 * sid (when the subject has a session), iat, nbf, exp, jti. The imported private key is kept
 * per kid, so signing costs one signature once the key has been used.
 */
export function createJoseAccessTokenIssuer(options: JoseAccessTokenIssuerOptions): AccessTokenIssuer {
  const { issuer, audience, ttlSeconds } = options;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
    throw new RangeError(`ttlSeconds must be a positive integer, got ${ttlSeconds}`);
  const clock = options.clock ?? systemClock;
  const newId = options.newId ?? randomId;
  const imported = new Map<string, Promise<CryptoKey>>();
  const privateKeyOf = (key: SigningKey) => {
    let found = imported.get(key.kid);
    if (!found) {
      found = importPKCS8(key.privateKeyPkcs8, key.algorithm);
      found.catch(() => imported.delete(key.kid));
      imported.set(key.kid, found);
    }
    return found;
  };
  return {
    async issue(subject) {
      const key = await options.signingKey();
      const iat = Math.floor(clock.now().getTime() / 1_000);
      const exp = iat + ttlSeconds;
      const tokenId = newId();
      const claims: Record<string, unknown> = { [TENANT_CLAIM]: subject.tenantId, [ROLES_CLAIM]: [...subject.roles] };
      if (subject.sessionId !== undefined) claims[SESSION_CLAIM] = subject.sessionId;
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(subject.userId)
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(exp)
        .setJti(tokenId)
        .sign(await privateKeyOf(key));
      return { token, tokenId, keyId: key.kid, issuedAt: new Date(iat * 1_000), expiresAt: new Date(exp * 1_000) };
    },
  };
}
