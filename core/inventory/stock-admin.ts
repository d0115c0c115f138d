import { invalidField, notFound } from "../kit/domain-error.ts";
import { decodePageToken, encodePageToken } from "../kit/page-token.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { requireTenantAdmin } from "./inventory-access.ts";
import { type InventoryDeps, pageSizeOf } from "./inventory-deps.ts";
import type { InventoryTransaction, Page } from "./inventory-store.ts";
import {
  emptyLevel,
  MAX_ADJUSTMENT,
  MAX_ON_HAND,
  MAX_THRESHOLD,
  moveStock,
  parseLocationId,
  parseSku,
  type SkuSummary,
  type StockLevel,
  summarize,
} from "./stock-level.ts";
import type { AdjustmentReason, StockMovement } from "./stock-movement.ts";
import { stockSignals, withChanges } from "./stock-signals.ts";

const MAX_NOTE = 500;
export const MAX_AVAILABILITY_SKUS = 200;

export interface StockChange {
  readonly sku: string;
  readonly locationId: string;
  readonly reason: AdjustmentReason;
  readonly note?: string | undefined;
}

/** A stock count: sets on hand, recording the difference (possibly 0) in the ledger. */
export async function setStock(
  deps: InventoryDeps,
  ctx: RequestContext,
  input: StockChange & { readonly onHand: number },
): Promise<StockLevel> {
  requireTenantAdmin(ctx);
  const change = parseChange(input);
  if (!Number.isInteger(input.onHand) || input.onHand < 0 || input.onHand > MAX_ON_HAND) {
    throw invalidField("on_hand_quantity", `must be 0-${MAX_ON_HAND}`);
  }
  const level = await deps.store.transaction(ctx, (tx) =>
    changeOnHand(deps, ctx, tx, change, (current) => input.onHand - current.onHand),
  );
  await deps.availabilityCache?.invalidate(ctx.tenantId, [change.sku]);
  return level;
}

/** Adds or removes on-hand units with a reason. Idempotent on the key: a retry answers the first result. */
export async function adjustStock(
  deps: InventoryDeps,
  ctx: RequestContext,
  input: StockChange & { readonly delta: number; readonly idempotencyKey: string },
): Promise<StockLevel> {
  requireTenantAdmin(ctx);
  const change = parseChange(input);
  if (!Number.isInteger(input.delta) || input.delta === 0 || Math.abs(input.delta) > MAX_ADJUSTMENT) {
    throw invalidField("delta_quantity", `must be non-zero, within +-${MAX_ADJUSTMENT}`);
  }
  if (input.idempotencyKey.length < 8 || input.idempotencyKey.length > 128) {
    throw invalidField("idempotency_key", "must be 8-128 characters");
  }
  const fingerprint = JSON.stringify([change.sku, change.locationId, input.delta, change.reason, change.note ?? ""]);
  const level = await deps.store.transaction(ctx, async (tx) => {
    const stored = await tx.findIdempotent("adjust_stock", input.idempotencyKey);
    if (stored) {
      if (stored.fingerprint !== fingerprint) throw invalidField("idempotency_key", "was used for another request");
      return levelFromJson(stored.response);
    }
    const result = await changeOnHand(deps, ctx, tx, change, () => input.delta);
    await tx.saveIdempotent("adjust_stock", input.idempotencyKey, fingerprint, JSON.stringify(result));
    return result;
  });
  await deps.availabilityCache?.invalidate(ctx.tenantId, [change.sku]);
  return level;
}

/** Sets the StockLow threshold of a SKU (0: no alert). Idempotent. */
export async function setRestockThreshold(
  deps: InventoryDeps,
  ctx: RequestContext,
  skuInput: string,
  threshold: number,
): Promise<SkuSummary> {
  requireTenantAdmin(ctx);
  const sku = parseSku(skuInput);
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > MAX_THRESHOLD) {
    throw invalidField("restock_threshold", `must be 0-${MAX_THRESHOLD}`);
  }
  const summary = await deps.store.transaction(ctx, async (tx) => {
    const levels = await tx.lockStock([sku]);
    await tx.setThreshold(sku, threshold);
    return summarize(sku, levels, threshold);
  });
  await deps.availabilityCache?.invalidate(ctx.tenantId, [sku]);
  return summary;
}

/** One SKU at every location, with totals. NOT_FOUND when inventory has never seen it. */
export async function getStock(
  deps: InventoryDeps,
  ctx: RequestContext,
  skuInput: string,
): Promise<{ summary: SkuSummary; levels: StockLevel[] }> {
  requireTenantAdmin(ctx);
  const sku = parseSku(skuInput);
  const [levels, thresholds] = await Promise.all([
    deps.store.readStock(ctx.tenantId, [sku]),
    deps.store.readThresholds(ctx.tenantId, [sku]),
  ]);
  if (levels.length === 0 && !thresholds.has(sku)) throw notFound("sku", sku, "INVENTORY.SKU_NOT_FOUND");
  levels.sort((a, b) => (a.locationId < b.locationId ? -1 : 1));
  return { summary: summarize(sku, levels, thresholds.get(sku) ?? 0), levels };
}

/**
 * What can be sold now, per SKU, all locations together (unknown SKUs: 0). Anyone of the
 * tenant may ask. Served from the cache when it has the SKU; misses are read and put back.
 */
export async function getAvailability(
  deps: InventoryDeps,
  ctx: RequestContext,
  skuInputs: readonly string[],
): Promise<SkuSummary[]> {
  if (skuInputs.length === 0 || skuInputs.length > MAX_AVAILABILITY_SKUS) {
    throw invalidField("skus", `must hold 1-${MAX_AVAILABILITY_SKUS} SKUs`);
  }
  const skus = skuInputs.map((sku, i) => parseSku(sku, `skus[${i}]`));
  const cached = (await deps.availabilityCache?.getMany(ctx.tenantId, skus)) ?? new Map();
  const missing = skus.filter((sku) => !cached.has(sku));
  const read = new Map<string, SkuSummary>();
  if (missing.length > 0) {
    const [levels, thresholds] = await Promise.all([
      deps.store.readStock(ctx.tenantId, missing),
      deps.store.readThresholds(ctx.tenantId, missing),
    ]);
    for (const sku of missing) read.set(sku, summarize(sku, levels, thresholds.get(sku) ?? 0));
    await deps.availabilityCache?.putMany(
      ctx.tenantId,
      [...read.values()].map((s) => ({ sku: s.sku, available: s.available, restockThreshold: s.restockThreshold })),
    );
  }
  return skus.map((sku) => {
    const hit = cached.get(sku);
    if (hit) return { sku, onHand: 0, reserved: 0, available: hit.available, restockThreshold: hit.restockThreshold };
    return read.get(sku) ?? { sku, onHand: 0, reserved: 0, available: 0, restockThreshold: 0 };
  });
}

/** SKUs at or below their threshold, lowest available first (then by SKU). */
export async function listLowStock(
  deps: InventoryDeps,
  ctx: RequestContext,
  query: { pageSize?: number; pageToken?: string },
): Promise<Page<SkuSummary>> {
  requireTenantAdmin(ctx);
  const pageSize = pageSizeOf(query.pageSize);
  const after = decodePageToken(query.pageToken);
  const key = (s: SkuSummary) => `${String(s.available + 2 ** 40).padStart(16, "0")}\u0000${s.sku}`;
  const all = (await deps.store.lowStock(ctx.tenantId))
    .map((e) => ({ ...e, available: e.onHand - e.reserved }))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .filter((s) => !after || key(s) > after);
  const page = all.slice(0, pageSize);
  const last = page.at(-1);
  return { items: page, nextPageToken: all.length > pageSize && last ? encodePageToken(key(last)) : undefined };
}

export async function listStockMovements(
  deps: InventoryDeps,
  ctx: RequestContext,
  query: { sku: string; locationId?: string | undefined; pageSize?: number; pageToken?: string },
): Promise<Page<StockMovement>> {
  requireTenantAdmin(ctx);
  return deps.store.listMovements(ctx.tenantId, {
    sku: parseSku(query.sku),
    ...(query.locationId ? { locationId: parseLocationId(query.locationId) } : {}),
    pageSize: pageSizeOf(query.pageSize),
    ...(query.pageToken ? { pageToken: query.pageToken } : {}),
  });
}

async function changeOnHand(
  deps: InventoryDeps,
  ctx: RequestContext,
  tx: InventoryTransaction,
  change: StockChange,
  deltaOf: (current: StockLevel) => number,
): Promise<StockLevel> {
  const now = deps.clock.now();
  const before = await tx.lockStock([change.sku]);
  const current = before.find((l) => l.locationId === change.locationId) ?? emptyLevel(change.sku, change.locationId, now);
  const delta = deltaOf(current);
  const moved = moveStock(current, delta, 0, now);
  await tx.saveStock([moved]);
  await tx.recordMovements([
    {
      id: deps.newId(),
      sku: change.sku,
      locationId: change.locationId,
      kind: "adjustment",
      adjustmentReason: change.reason,
      onHandDelta: delta,
      reservedDelta: 0,
      onHandAfter: moved.onHand,
      reservedAfter: moved.reserved,
      orderId: undefined,
      actorUserId: ctx.caller?.userId,
      note: change.note,
      occurredAt: now,
    },
  ]);
  const thresholds = await tx.thresholds([change.sku]);
  await tx.publish(stockSignals([change.sku], before, withChanges(before, [moved]), thresholds, now));
  return moved;
}

function parseChange(input: StockChange): StockChange {
  const note = input.note?.trim() || undefined;
  if (note && note.length > MAX_NOTE) throw invalidField("note", `must be at most ${MAX_NOTE} characters`);
  return { sku: parseSku(input.sku), locationId: parseLocationId(input.locationId), reason: input.reason, note };
}

function levelFromJson(json: string): StockLevel {
  const parsed = JSON.parse(json) as Omit<StockLevel, "updatedAt"> & { updatedAt: string };
  return { ...parsed, updatedAt: new Date(parsed.updatedAt) };
}
