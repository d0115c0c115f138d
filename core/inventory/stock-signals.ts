import type { InventoryEvent } from "./inventory-events.ts";
import { type StockLevel, summarize } from "./stock-level.ts";

/**
 * The stock events a change raises, per SKU: StockLow when available falls to or below a
 * threshold above 0 (crossing, not on every change), StockAvailabilityChanged when available
 * crosses zero. `before` and `after` hold every location of each SKU.
 */
export function stockSignals(
  skus: readonly string[],
  before: readonly StockLevel[],
  after: readonly StockLevel[],
  thresholds: ReadonlyMap<string, number>,
  at: Date,
): InventoryEvent[] {
  const events: InventoryEvent[] = [];
  for (const sku of skus) {
    const threshold = thresholds.get(sku) ?? 0;
    const was = summarize(sku, before, threshold).available;
    const now = summarize(sku, after, threshold).available;
    if (was === now) continue;
    if (threshold > 0 && was > threshold && now <= threshold) {
      events.push({ type: "StockLow", sku, available: now, restockThreshold: threshold, at });
    }
    if (was > 0 !== now > 0) events.push({ type: "StockAvailabilityChanged", sku, available: now, at });
  }
  return events;
}

/** `levels` with `changed` put in place of the rows they replace (matched by SKU and location). */
export function withChanges(levels: readonly StockLevel[], changed: readonly StockLevel[]): StockLevel[] {
  const key = (l: StockLevel) => `${l.sku}\u0000${l.locationId}`;
  const byKey = new Map(levels.map((l) => [key(l), l]));
  for (const level of changed) byKey.set(key(level), level);
  return [...byKey.values()];
}
