import { defineEntity, p } from "@mikro-orm/core";

/**
 * A single-use token (table `user_tokens`): only its SHA-256 is stored, never the token.
 * `spent_at` is set when it is used or superseded by a newer token of the same purpose.
 */
export const UserTokenRecord = defineEntity({
  name: "UserTokenRecord",
  tableName: "user_tokens",
  properties: {
    tenantId: p.string().length(63).primary(),
    tokenHash: p.string().length(64).primary(),
    userId: p.string().length(64),
    purpose: p.string().length(32),
    createdAt: p.datetime(3),
    expiresAt: p.datetime(3),
    spentAt: p.datetime(3).nullable(),
  },
  // expires_at: the retention sweep.
  indexes: [{ properties: ["tenantId", "userId", "purpose"] }, { properties: ["expiresAt"] }],
});
