import { defineEntity, p } from "@mikro-orm/core";

/**
 * A tenant's promotion (table `cart_promotions`): the definition as JSON (immutable), status,
 * version guarding updates. Unique: the code in the tenant, and the key hash of the
 * CreatePromotion call that made it (a twin of that call fails).
 */
export const PromotionRecord = defineEntity({
  name: "PromotionRecord",
  tableName: "cart_promotions",
  properties: {
    tenantId: p.string().length(63).primary(),
    id: p.string().length(64).primary(),
    code: p.string().length(32),
    status: p.string().length(16),
    definition: p.text(),
    endsAt: p.datetime(3).nullable(),
    redemptionCount: p.integer(),
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
    version: p.integer(),
    creationKeyHash: p.string().length(64),
    creationFingerprint: p.string().length(64),
  },
  uniques: [{ properties: ["tenantId", "code"] }, { properties: ["tenantId", "creationKeyHash"] }],
  indexes: [{ properties: ["tenantId", "createdAt"] }],
});

/** One tax rate (table `cart_tax_rates`), keyed by tenant, country, area (upper-cased) and class. */
export const TaxRateRecord = defineEntity({
  name: "TaxRateRecord",
  tableName: "cart_tax_rates",
  properties: {
    tenantId: p.string().length(63).primary(),
    countryCode: p.string().length(2).primary(),
    administrativeArea: p.string().length(100).primary(),
    taxClass: p.string().length(32).primary(),
    ratePpm: p.integer(),
  },
});
