import { defineEntity, p } from "@mikro-orm/core";

/**
 * One row per user (table `users`), keyed by (tenant, id); (tenant, normalized email) is unique.
 * `roles` is a delimited list (`,customer,tenant_admin,`) so a role filter is one LIKE;
 * `preferences` is JSON text; `search_name` is the display name folded for prefix search.
 */
export const UserRecord = defineEntity({
  name: "UserRecord",
  tableName: "users",
  properties: {
    tenantId: p.string().length(63).primary(),
    id: p.string().length(64).primary(),
    email: p.string().length(254),
    normalizedEmail: p.string().length(254),
    emailVerified: p.boolean(),
    displayName: p.string().length(100),
    searchName: p.string().length(400),
    phoneNumber: p.string().length(16).nullable(),
    status: p.string().length(16),
    disabledReason: p.string().length(500).nullable(),
    roles: p.string().length(200),
    preferences: p.text(),
    passwordSetAt: p.datetime(3).nullable(),
    verificationSentAt: p.datetime(3).nullable(),
    resetSentAt: p.datetime(3).nullable(),
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
    version: p.integer(),
  },
  uniques: [{ properties: ["tenantId", "normalizedEmail"] }],
  indexes: [{ properties: ["tenantId", "createdAt", "id"] }, { properties: ["tenantId", "searchName"] }],
});
