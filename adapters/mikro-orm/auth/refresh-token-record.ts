import { defineEntity, p } from "@mikro-orm/core";

/**
 * Every refresh token a session issued, by digest (SHA-256 hex; the token itself is never
 * stored). Spent ones stay, so that their reuse is recognised and revokes the family.
 */
export const RefreshTokenRecord = defineEntity({
  name: "RefreshTokenRecord",
  tableName: "auth_refresh_tokens",
  properties: {
    digest: p.string().length(64).primary(),
    tenantId: p.string().length(63),
    sessionId: p.string().length(64).index(),
    issuedAt: p.datetime(3),
  },
});
