import { defineEntity, p } from "@mikro-orm/core";

/** A saved address (table `user_addresses`); rewritten with its user, under the user's version guard. */
export const UserAddressRecord = defineEntity({
  name: "UserAddressRecord",
  tableName: "user_addresses",
  properties: {
    tenantId: p.string().length(63).primary(),
    id: p.string().length(64).primary(),
    userId: p.string().length(64),
    label: p.string().length(50),
    recipientName: p.string().length(200),
    /** JSON array of 1..3 lines. */
    addressLines: p.text(),
    locality: p.string().length(100),
    administrativeArea: p.string().length(100),
    postalCode: p.string().length(20),
    countryCode: p.string().length(2),
    phoneNumber: p.string().length(16),
    isDefault: p.boolean(),
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
  },
  indexes: [{ properties: ["tenantId", "userId"] }],
});
