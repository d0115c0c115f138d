import { defineEntity, p } from "@mikro-orm/core";

/** One row per session (refresh token family); `version` guards against lost updates (rotation races). */
export const SessionRecord = defineEntity({
  name: "SessionRecord",
  tableName: "auth_sessions",
  properties: {
    id: p.string().length(64).primary(),
    tenantId: p.string().length(63),
    userId: p.string().length(64),
    currentTokenDigest: p.string().length(64),
    createdAt: p.datetime(3),
    lastRefreshedAt: p.datetime(3),
    absoluteExpiresAt: p.datetime(3),
    expiresAt: p.datetime(3),
    userAgent: p.string().length(200),
    ipAddressMasked: p.string().length(64),
    revokedAt: p.datetime(3).nullable(),
    revokedReason: p.string().length(32).nullable(),
    version: p.integer(),
  },
  // expires_at: the retention sweep (a session past it is dead for good; nothing moves it back).
  indexes: [{ properties: ["tenantId", "userId", "createdAt"] }, { properties: ["expiresAt"] }],
});
