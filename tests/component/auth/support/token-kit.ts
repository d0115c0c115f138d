import { base64url, importPKCS8, SignJWT } from "jose";
import { createJoseAccessTokenIssuer } from "../../../../adapters/jose/jose-access-token-issuer.ts";
import { createJoseSigningKeyGenerator } from "../../../../adapters/jose/jose-signing-key-generator.ts";
import { createMemorySigningKeyStore } from "../../../../adapters/memory/auth/memory-signing-key-store.ts";
import type { AccessTokenIssuer } from "../../../../core/auth/access-token-issuer.ts";
import type { SigningAlgorithm } from "../../../../core/auth/signing-key.ts";
import { signingKeyPolicy } from "../../../../core/auth/signing-key-policy.ts";
import { currentSigningKey, maintainSigningKeys, type SigningKeyRing } from "../../../../core/auth/signing-key-ring.ts";
import { type Clock, systemClock } from "../../../../core/kit/clock.ts";

export const ISSUER = "https://auth.shopmesh.test";
export const AUDIENCE = "shopmesh-test";
export const TTL_SECONDS = 600;

/** A signing key ring in memory with a first key, and an issuer that signs with it. */
export async function tokenKit(options: { algorithm?: SigningAlgorithm; clock?: Clock } = {}) {
  const clock = options.clock ?? systemClock;
  const ring: SigningKeyRing = {
    store: createMemorySigningKeyStore(),
    generator: createJoseSigningKeyGenerator(options.algorithm),
    clock,
    policy: signingKeyPolicy({ maxTokenTtlMs: TTL_SECONDS * 1_000 }),
  };
  await maintainSigningKeys(ring);
  const issuerAt = (at: Clock): AccessTokenIssuer =>
    createJoseAccessTokenIssuer({
      signingKey: () => currentSigningKey(ring.store),
      issuer: ISSUER,
      audience: AUDIENCE,
      ttlSeconds: TTL_SECONDS,
      clock: at,
    });
  return {
    ring,
    issuer: issuerAt(clock),
    /** An issuer whose clock is `offsetMs` away from now (past: expired tokens; future: not yet valid). */
    issuerShiftedBy: (offsetMs: number) => issuerAt({ now: () => new Date(clock.now().getTime() + offsetMs) }),
    /** Signs arbitrary claims and header with the ring's current private key. */
    async signWithRingKey(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
      const key = await currentSigningKey(ring.store);
      const privateKey = await importPKCS8(key.privateKeyPkcs8, key.algorithm);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: "at+jwt", ...header })
        .sign(privateKey);
    },
  };
}

/** Claims as the issuer would write them, valid for ten minutes from now. */
export function validClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1_000);
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: "user-1",
    tid: "acme",
    roles: ["customer"],
    iat: now,
    nbf: now,
    exp: now + TTL_SECONDS,
    jti: `jti-${Math.random()}`,
    ...overrides,
  };
}

const encodeJson = (value: unknown) => base64url.encode(JSON.stringify(value));

/** A compact JWT from parts, signature as given: for tokens no honest signer makes. */
export function rawJwt(header: Record<string, unknown>, claims: Record<string, unknown>, signature = ""): string {
  return `${encodeJson(header)}.${encodeJson(claims)}.${signature}`;
}

/** The token with some claims changed and its original signature kept. */
export function editClaims(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!))) as Record<string, unknown>;
  return `${header}.${encodeJson({ ...claims, ...changes })}.${signature}`;
}

export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64url.decode(token.split(".")[0]!))) as Record<string, unknown>;
}
