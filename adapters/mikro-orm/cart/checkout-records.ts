import { defineEntity, p } from "@mikro-orm/core";

/**
 * A checkout snapshot (table `cart_checkout_snapshots`), immutable, keyed by tenant, cart and
 * cart version; the body is the snapshot as JSON. Only the newest version of a cart is kept.
 */
export const CheckoutSnapshotRecord = defineEntity({
  name: "CheckoutSnapshotRecord",
  tableName: "cart_checkout_snapshots",
  properties: {
    tenantId: p.string().length(63).primary(),
    cartId: p.string().length(100).primary(),
    cartVersion: p.integer().primary(),
    userId: p.string().length(64),
    body: p.text().columnType("mediumtext"),
    createdAt: p.datetime(3),
    expiresAt: p.datetime(3),
  },
  // expires_at: the retention sweep.
  indexes: [{ properties: ["expiresAt"] }],
});

/**
 * An order cart has seen (table `cart_orders`, from OrderCreated): the cart version it came
 * from and the codes it redeemed; `returned` once OrderCancelled gave them back. The primary
 * key (tenant, order id) makes counting idempotent by order.
 */
export const CartOrderRecord = defineEntity({
  name: "CartOrderRecord",
  tableName: "cart_orders",
  properties: {
    tenantId: p.string().length(63).primary(),
    orderId: p.string().length(64).primary(),
    userId: p.string().length(64),
    cartId: p.string().length(100),
    cartVersion: p.integer(),
    codes: p.text(),
    returned: p.boolean(),
    createdAt: p.datetime(3),
  },
});

/** One live redemption of a code by a user (table `cart_redemptions`); deleted when given back. */
export const CartRedemptionRecord = defineEntity({
  name: "CartRedemptionRecord",
  tableName: "cart_redemptions",
  properties: {
    tenantId: p.string().length(63).primary(),
    orderId: p.string().length(64).primary(),
    code: p.string().length(32).primary(),
    userId: p.string().length(64),
  },
  indexes: [{ properties: ["tenantId", "code", "userId"] }],
});

/**
 * A checkout snapshot's hold on one use of a limited code (table `cart_redemption_holds`): one
 * per cart and code (primary key tenant, cart id, code), live until `expires_at`. Counted with
 * the redemptions against the code's limits; taken under the promotion row's lock.
 */
export const CartRedemptionHoldRecord = defineEntity({
  name: "CartRedemptionHoldRecord",
  tableName: "cart_redemption_holds",
  properties: {
    tenantId: p.string().length(63).primary(),
    cartId: p.string().length(100).primary(),
    code: p.string().length(32).primary(),
    cartVersion: p.integer(),
    userId: p.string().length(64),
    expiresAt: p.datetime(3),
  },
  // The last one serves the retention sweep (the first leads with the tenant).
  indexes: [
    { properties: ["tenantId", "code", "expiresAt"] },
    { properties: ["tenantId", "code", "userId"] },
    { properties: ["expiresAt"] },
  ],
});
