import { defineEntity, p } from "@mikro-orm/core";

/**
 * One payment per (tenant, order): the unique key is what turns a second Charge of an order
 * into a replay. Tokens and provider references only, never card data. Refunds are JSON
 * (a payment has a handful), changed under the row's `version`.
 */
export const PaymentRecord = defineEntity({
  name: "PaymentRecord",
  tableName: "payment_payments",
  properties: {
    sequence: p.bigint("number").primary().autoincrement(),
    tenantId: p.string().length(63),
    paymentId: p.string().length(64),
    orderId: p.string().length(64),
    userId: p.string().length(64),
    status: p.string().length(24),
    amountMinor: p.bigint("number"),
    currency: p.string().length(3),
    paymentMethodToken: p.string().length(255),
    provider: p.string().length(32),
    providerReference: p.string().length(255).nullable(),
    failureReason: p.string().length(32).nullable(),
    failureCode: p.string().length(64).nullable(),
    refunds: p.text(),
    version: p.integer(),
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
    resolveLeaseUntil: p.datetime(3).nullable(),
  },
  uniques: [{ properties: ["tenantId", "orderId"] }, { properties: ["tenantId", "paymentId"] }],
  indexes: [{ properties: ["status", "updatedAt"] }, { properties: ["tenantId", "status", "sequence"] }],
});

export const paymentEntities = [PaymentRecord];
