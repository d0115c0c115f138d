import { defineEntity, p } from "@mikro-orm/core";

/** One row per tenant; `version` guards against lost updates. */
export const TenantRecord = defineEntity({
  name: "TenantRecord",
  tableName: "tenants",
  properties: {
    id: p.string().length(63).primary(),
    displayName: p.string().length(200),
    currency: p.string().length(3),
    defaultLocale: p.string().length(35),
    status: p.string().length(16),
    disabledReason: p.string().length(500).nullable(),
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
    version: p.integer(),
  },
  indexes: [{ properties: ["status", "id"] }],
});
