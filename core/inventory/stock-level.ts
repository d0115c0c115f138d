import { failedPrecondition, invalidField } from "../kit/domain-error.ts";

/** Stock of one SKU at one location. Invariant: 0 <= reserved <= onHand. */
export interface StockLevel {
  readonly sku: string;
  readonly locationId: string;
  readonly onHand: number;
  readonly reserved: number;
  /** Bumped on every change of the row (0 for a row not stored yet). */
  readonly version: number;
  readonly updatedAt: Date;
}

export const MAX_ON_HAND = 10_000_000;
export const MAX_LINE_QUANTITY = 10_000;
export const MAX_ADJUSTMENT = 1_000_000;
export const MAX_THRESHOLD = 1_000_000;
const SKU_PATTERN = /^\S(?:.{0,62}\S)?$/u;
const LOCATION_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function available(level: Pick<StockLevel, "onHand" | "reserved">): number {
  return level.onHand - level.reserved;
}

export function parseSku(value: string, field = "sku"): string {
  if (value.length < 1 || value.length > 64 || !SKU_PATTERN.test(value)) throw invalidField(field, "must be 1-64 characters");
  return value;
}

export function parseLocationId(value: string, field = "location_id"): string {
  if (!LOCATION_PATTERN.test(value)) throw invalidField(field, "must be a lower-case slug of 1-64 characters");
  return value;
}

export function emptyLevel(sku: string, locationId: string, now: Date): StockLevel {
  return { sku, locationId, onHand: 0, reserved: 0, version: 0, updatedAt: now };
}

/** A level with on-hand and reserved moved by the deltas; refuses to break the invariant. */
export function moveStock(level: StockLevel, onHandDelta: number, reservedDelta: number, now: Date): StockLevel {
  const onHand = level.onHand + onHandDelta;
  const reserved = level.reserved + reservedDelta;
  if (onHand > MAX_ON_HAND) throw invalidField("quantity", `on hand would exceed ${MAX_ON_HAND}`);
  if (reserved < 0) throw new Error(`reserved of ${level.sku}@${level.locationId} would go negative`);
  if (onHand < reserved) {
    throw failedPrecondition(
      "INVENTORY.BELOW_RESERVED",
      `on hand of ${level.sku} at ${level.locationId} would drop below the ${level.reserved} reserved`,
    );
  }
  return { ...level, onHand, reserved, version: level.version + 1, updatedAt: now };
}

/** Totals of one SKU over every location. */
export interface SkuSummary {
  readonly sku: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
  readonly restockThreshold: number;
}

export function summarize(sku: string, levels: readonly StockLevel[], restockThreshold: number): SkuSummary {
  let onHand = 0;
  let reserved = 0;
  for (const level of levels) {
    if (level.sku !== sku) continue;
    onHand += level.onHand;
    reserved += level.reserved;
  }
  return { sku, onHand, reserved, available: onHand - reserved, restockThreshold };
}

/** SKUs in the one order every transaction locks them in (code-unit order), without duplicates. */
export function lockOrder(skus: Iterable<string>): string[] {
  return [...new Set(skus)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
