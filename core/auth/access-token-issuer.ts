import type { TenantId } from "../kit/request-context.ts";

/** Whom an access token speaks for. */
export interface AccessTokenSubject {
  readonly tenantId: TenantId;
  readonly userId: string;
  readonly roles: readonly string[];
  /** The session (refresh token family) the token belongs to. */
  readonly sessionId?: string;
}

export interface IssuedAccessToken {
  /** The compact JWT, sent as `authorization: Bearer <token>`. */
  readonly token: string;
  /** The token's `jti`. */
  readonly tokenId: string;
  /** The kid of the key that signed it. */
  readonly keyId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/** Signs short-lived access tokens with the ring's current key (adapters/jose). */
export interface AccessTokenIssuer {
  issue(subject: AccessTokenSubject): Promise<IssuedAccessToken>;
}
