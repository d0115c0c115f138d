import type { Caller, TenantId } from "./request-context.ts";

/** What a valid access token says: who calls, for which tenant, until when. */
export interface VerifiedAccessToken {
  readonly tenantId: TenantId;
  readonly caller: Caller;
  /** The token's `jti`. */
  readonly tokenId: string;
  readonly expiresAt: Date;
}

/**
 * Checks an access token (signature, expiry, issuer, audience, algorithm) and reads its claims.
 * Every service has one (adapters/jose). Rejects with UNAUTHENTICATED ("invalid token" or
 * "token expired", never more detail), or UNAVAILABLE when the keys cannot be fetched.
 */
export interface AccessTokenVerifier {
  verify(token: string): Promise<VerifiedAccessToken>;
}
