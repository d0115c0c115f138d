import { defineEntity, p } from "@mikro-orm/core";

/**
 * The first answer of a retryable users command (table `user_idempotency_keys`). The primary key
 * (tenant, scope, key hash) is the unique constraint that makes a concurrent twin fail; the row
 * is written in the command's own transaction.
 */
export const UserIdempotencyRecord = defineEntity({
  name: "UserIdempotencyRecord",
  tableName: "user_idempotency_keys",
  properties: {
    tenantId: p.string().length(63).primary(),
    scope: p.string().length(100).primary(),
    keyHash: p.string().length(64).primary(),
    fingerprint: p.string().length(64),
    response: p.text(),
    createdAt: p.datetime(3),
  },
  // created_at: the retention sweep (an answer is kept for the idempotency window, then goes).
  indexes: [{ properties: ["createdAt"] }],
});
