import { defineEntity, p } from "@mikro-orm/core";

/**
 * An order with its saga state. One per (tenant, order id); the unique (tenant, user,
 * idempotency key) is what turns a concurrent PlaceOrder replay into the first order. Lines,
 * totals and the address are JSON (never queried); `payment_due` and `deadline_at` serve the
 * payment worker and the deadline sweeper.
 */
export const OrderRecord = defineEntity({
  name: "OrderRecord",
  tableName: "orders",
  properties: {
    sequence: p.bigint("number").primary().autoincrement(),
    tenantId: p.string().length(63),
    orderId: p.string().length(64),
    userId: p.string().length(64),
    status: p.string().length(16),
    sagaState: p.string().length(24),
    cancellationReason: p.string().length(24).nullable(),
    payment: p.string().length(16),
    stockHeld: p.boolean(),
    lines: p.text(),
    promotionCodes: p.text(),
    totals: p.text(),
    shippingAddress: p.text(),
    cartId: p.string().length(64),
    cartVersion: p.bigint("number"),
    paymentMethodToken: p.string().length(255),
    idempotencyKey: p.string().length(128),
    paymentId: p.string().length(64).nullable(),
    shipmentId: p.string().length(64).nullable(),
    placedAt: p.datetime(3),
    updatedAt: p.datetime(3),
    deadlineAt: p.datetime(3).nullable(),
    paymentDue: p.boolean(),
    leaseUntil: p.datetime(3).nullable(),
    version: p.integer(),
  },
  uniques: [{ properties: ["tenantId", "orderId"] }, { properties: ["tenantId", "userId", "idempotencyKey"] }],
  indexes: [
    { properties: ["tenantId", "userId", "sequence"] },
    { properties: ["paymentDue", "leaseUntil"] },
    { properties: ["deadlineAt"] },
  ],
});

/** Every saga step of an order, with time and detail; never updated. */
export const OrderTimelineRecord = defineEntity({
  name: "OrderTimelineRecord",
  tableName: "order_timeline",
  properties: {
    sequence: p.bigint("number").primary().autoincrement(),
    tenantId: p.string().length(63),
    orderId: p.string().length(64),
    step: p.string().length(32),
    detail: p.string().length(600),
    occurredAt: p.datetime(3),
  },
  indexes: [{ properties: ["tenantId", "orderId", "sequence"] }],
});

export const orderEntities = [OrderRecord, OrderTimelineRecord];
