import { defineEntity, p } from "@mikro-orm/core";

/** One password hash per (tenant, user); an email logs in one user per tenant (unique index). */
export const CredentialRecord = defineEntity({
  name: "CredentialRecord",
  tableName: "auth_credentials",
  properties: {
    tenantId: p.string().length(63).primary(),
    userId: p.string().length(64).primary(),
    email: p.string().length(254),
    passwordHash: p.string().length(255),
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
  },
  uniques: [{ properties: ["tenantId", "email"] }],
});
