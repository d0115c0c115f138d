import { errors, type JWTPayload, jwtVerify } from "jose";
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from "../../core/auth/signing-key.ts";
import type { AccessTokenVerifier, VerifiedAccessToken } from "../../core/kit/access-token-verifier.ts";
import { type Clock, systemClock } from "../../core/kit/clock.ts";
import { unauthenticated, unavailable } from "../../core/kit/domain-error.ts";
import { parseTenantId, type TenantId } from "../../core/kit/request-context.ts";
import {
  ACCESS_TOKEN_TYPE,
  MAX_ROLE_LENGTH,
  MAX_ROLES,
  MAX_SUBJECT_LENGTH,
  ROLES_CLAIM,
  SESSION_CLAIM,
  TENANT_CLAIM,
} from "./access-token-claims.ts";
import { JwksUnavailableError } from "./jwks-unavailable-error.ts";
import type { JwtKeySource } from "./jwt-key-source.ts";
import { createVerifiedTokenCache } from "./verified-token-cache.ts";

export interface JoseAccessTokenVerifierOptions {
  /** remoteJwks(url) in a service of its own, localJwks(load) in the embedded process. */
  readonly keys: JwtKeySource;
  readonly issuer: string;
  readonly audience: string;
  /** Only these `alg` values are accepted (default EdDSA and ES256); `none` and HMAC never. */
  readonly algorithms?: readonly SigningAlgorithm[];
  /** Slack for clocks that disagree, on exp, nbf and iat (default 10 s). */
  readonly clockToleranceSeconds?: number;
  /** A token whose exp is further than this from its iat, or older than this, is refused (default 1 h). */
  readonly maxTokenLifetimeSeconds?: number;
  /** Verified tokens kept to skip the signature check on the next call (default 10,000, for 60 s); false: none. */
  readonly cache?: { readonly maxEntries?: number; readonly maxAgeMs?: number } | false;
  readonly clock?: Clock;
  /** Why a token was refused, for the log; the caller only hears "invalid token" or "token expired". */
  readonly onRejected?: (reason: string) => void;
}

/** Longer than any token we sign by far; a longer header is refused before any parsing. */
const MAX_TOKEN_LENGTH = 4_096;

/**
 * Verifies access tokens for every service: signature with a published key (by kid), an
 * allowed algorithm, `typ: at+jwt`, exp/nbf with a small tolerance, iss, aud, and the shape
 * of the claims. UNAUTHENTICATED for any bad token, UNAVAILABLE when the keys cannot be had.
 */
export function createJoseAccessTokenVerifier(options: JoseAccessTokenVerifierOptions): AccessTokenVerifier {
  const { keys, issuer, audience, onRejected } = options;
  const algorithms = [...(options.algorithms ?? SIGNING_ALGORITHMS)];
  for (const alg of algorithms) {
    if (!SIGNING_ALGORITHMS.includes(alg)) throw new RangeError(`algorithm ${alg} is not allowed for access tokens`);
  }
  const clockTolerance = options.clockToleranceSeconds ?? 10;
  const maxLifetime = options.maxTokenLifetimeSeconds ?? 3_600;
  const clock = options.clock ?? systemClock;
  const cache =
    options.cache === false
      ? undefined
      : createVerifiedTokenCache({
          maxEntries: options.cache?.maxEntries ?? 10_000,
          maxAgeMs: options.cache?.maxAgeMs ?? 60_000,
        });

  const invalid = (reason: string) => {
    onRejected?.(reason);
    return unauthenticated("invalid token", "AUTH.TOKEN_INVALID");
  };

  return {
    async verify(token) {
      if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw invalid(`token length ${token.length}`);
      const now = clock.now();
      const hit = cache?.get(token, now.getTime());
      if (hit) return hit;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer,
          audience,
          algorithms,
          typ: ACCESS_TOKEN_TYPE,
          clockTolerance,
          maxTokenAge: maxLifetime + clockTolerance,
          currentDate: now,
          requiredClaims: ["sub", "iat", "nbf", "exp", "jti", TENANT_CLAIM, ROLES_CLAIM],
        }));
      } catch (error) {
        if (error instanceof JwksUnavailableError) {
          throw unavailable("AUTH.KEYS_UNAVAILABLE", "cannot verify tokens right now", error);
        }
        if (error instanceof errors.JWTExpired) {
          onRejected?.("expired");
          throw unauthenticated("token expired", "AUTH.TOKEN_EXPIRED");
        }
        throw invalid(describe(error));
      }
      const verified = claimsOf(payload, maxLifetime);
      if (typeof verified === "string") throw invalid(verified);
      cache?.put(token, verified, (Number(payload.exp) + clockTolerance) * 1_000, now.getTime());
      return verified;
    },
  };
}

/** The claims as our types, or why they do not fit (signature and times are already checked). */
function claimsOf(payload: JWTPayload, maxLifetime: number): VerifiedAccessToken | string {
  const { sub, jti, iat, exp } = payload;
  if (typeof sub !== "string" || sub.length === 0 || sub.length > MAX_SUBJECT_LENGTH) return "bad sub";
  if (typeof jti !== "string" || jti.length === 0 || jti.length > 128) return "bad jti";
  if (typeof iat !== "number" || typeof exp !== "number" || exp - iat > maxLifetime) return "lifetime too long";
  let tenantId: TenantId;
  try {
    tenantId = parseTenantId(String(payload[TENANT_CLAIM]), TENANT_CLAIM);
  } catch {
    return `bad ${TENANT_CLAIM}`;
  }
  const roles = payload[ROLES_CLAIM];
  if (
    !Array.isArray(roles) ||
    roles.length > MAX_ROLES ||
    !roles.every((role) => typeof role === "string" && role.length > 0 && role.length <= MAX_ROLE_LENGTH)
  ) {
    return `bad ${ROLES_CLAIM}`;
  }
  const sessionId = payload[SESSION_CLAIM];
  if (sessionId !== undefined && (typeof sessionId !== "string" || sessionId.length === 0 || sessionId.length > 64)) {
    return `bad ${SESSION_CLAIM}`;
  }
  return {
    tenantId,
    caller: { userId: sub, roles: Object.freeze([...(roles as string[])]), sessionId },
    tokenId: jti,
    expiresAt: new Date(exp * 1_000),
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${(error as { code?: string }).code ?? error.name}: ${error.message}`;
  return String(error);
}
