import { defineEntity, p } from "@mikro-orm/core";

/** Stock of a SKU at a location; 0 <= reserved <= on_hand; `version` bumps on every change. */
export const StockRecord = defineEntity({
  name: "StockRecord",
  tableName: "inventory_stock",
  properties: {
    tenantId: p.string().length(63).primary(),
    sku: p.string().length(64).primary(),
    locationId: p.string().length(64).primary(),
    onHand: p.integer(),
    reserved: p.integer(),
    version: p.integer(),
    updatedAt: p.datetime(3),
  },
});

/** Restock threshold of a SKU, all locations together. */
export const RestockThresholdRecord = defineEntity({
  name: "RestockThresholdRecord",
  tableName: "inventory_thresholds",
  properties: {
    tenantId: p.string().length(63).primary(),
    sku: p.string().length(64).primary(),
    restockThreshold: p.integer(),
  },
});

/**
 * One reservation per (tenant, order): the unique key is what makes a concurrent duplicate
 * reserve fail and retry into a replay. Lines are JSON; `skus` (",a,b,") serves the SKU filter.
 */
export const ReservationRecord = defineEntity({
  name: "ReservationRecord",
  tableName: "inventory_reservations",
  properties: {
    sequence: p.bigint("number").primary().autoincrement(),
    tenantId: p.string().length(63),
    orderId: p.string().length(64),
    reservationId: p.string().length(64),
    status: p.string().length(16),
    lines: p.text(),
    shortLines: p.text(),
    skus: p.text(),
    createdAt: p.datetime(3),
    expiresAt: p.datetime(3),
    updatedAt: p.datetime(3),
    releaseReason: p.string().length(32).nullable(),
  },
  uniques: [{ properties: ["tenantId", "orderId"] }],
  indexes: [{ properties: ["status", "expiresAt"] }, { properties: ["tenantId", "sequence"] }],
});

/** The stock ledger: one row per change of on-hand or reserved, never updated. */
export const StockMovementRecord = defineEntity({
  name: "StockMovementRecord",
  tableName: "inventory_movements",
  properties: {
    sequence: p.bigint("number").primary().autoincrement(),
    movementId: p.string().length(64),
    tenantId: p.string().length(63),
    sku: p.string().length(64),
    locationId: p.string().length(64),
    kind: p.string().length(16),
    adjustmentReason: p.string().length(32).nullable(),
    onHandDelta: p.integer(),
    reservedDelta: p.integer(),
    onHandAfter: p.integer(),
    reservedAfter: p.integer(),
    orderId: p.string().length(64).nullable(),
    actorUserId: p.string().length(64).nullable(),
    note: p.string().length(500).nullable(),
    occurredAt: p.datetime(3),
  },
  indexes: [{ properties: ["tenantId", "sku", "sequence"] }],
});

/**
 * The first answer of an idempotent command (AdjustStock), stored in the command's transaction.
 * `created_at` opens its retention window (index: the sweep's picks). Null on rows written before
 * the column existed or by a process of the previous version: SQLite adds a column only with a
 * constant default, so the schema update cannot stamp them; the sweep does (inventory-retention.ts).
 */
export const InventoryIdempotencyRecord = defineEntity({
  name: "InventoryIdempotencyRecord",
  tableName: "inventory_idempotency_keys",
  properties: {
    tenantId: p.string().length(63).primary(),
    scope: p.string().length(32).primary(),
    idempotencyKey: p.string().length(128).primary(),
    fingerprint: p.text(),
    response: p.text(),
    createdAt: p.datetime(3).nullable(),
  },
  indexes: [{ properties: ["createdAt"] }],
});

export const inventoryEntities = [
  StockRecord,
  RestockThresholdRecord,
  ReservationRecord,
  StockMovementRecord,
  InventoryIdempotencyRecord,
];
