import { defineEntity, p } from "@mikro-orm/core";
import { PromotionRecord, TaxRateRecord } from "./cart-pricing-records.ts";
import { CartOrderRecord, CartRedemptionHoldRecord, CartRedemptionRecord, CheckoutSnapshotRecord } from "./checkout-records.ts";

/**
 * One row per cart (table `carts`): the lines and applied codes as JSON, `version` guarding
 * against lost updates, `expires_at` sliding with every change. The source of truth behind Redis.
 */
export const CartRecord = defineEntity({
  name: "CartRecord",
  tableName: "carts",
  properties: {
    tenantId: p.string().length(63).primary(),
    id: p.string().length(100).primary(),
    userId: p.string().length(64).nullable(),
    lines: p.text(),
    promotionCodes: p.text(),
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
    expiresAt: p.datetime(3),
    version: p.integer(),
  },
  indexes: [{ properties: ["expiresAt"] }],
});

/**
 * The first answer of a mutating cart call (table `cart_idempotency_keys`). The primary key
 * (tenant, scope, key hash) makes a concurrent twin fail; written in the cart's transaction.
 */
export const CartAnswerRow = defineEntity({
  name: "CartAnswerRow",
  tableName: "cart_idempotency_keys",
  properties: {
    tenantId: p.string().length(63).primary(),
    scope: p.string().length(140).primary(),
    keyHash: p.string().length(64).primary(),
    fingerprint: p.string().length(64),
    response: p.text(),
    createdAt: p.datetime(3),
  },
  // created_at: the retention sweep (an answer is kept for the idempotency window, then goes).
  indexes: [{ properties: ["createdAt"] }],
});

export const cartEntities = [
  CartRecord,
  CartAnswerRow,
  PromotionRecord,
  TaxRateRecord,
  CheckoutSnapshotRecord,
  CartOrderRecord,
  CartRedemptionRecord,
  CartRedemptionHoldRecord,
];
