import type { Clock } from "../kit/clock.ts";
import type { IdGenerator } from "../kit/ids.ts";
import type { AvailabilityCache } from "./availability-cache.ts";
import type { InventoryStore } from "./inventory-store.ts";

export interface InventoryPolicy {
  /** How long an unconfirmed reservation holds its stock when the caller does not say. */
  readonly defaultHoldMs: number;
  readonly maxHoldMs: number;
}

export const DEFAULT_INVENTORY_POLICY: InventoryPolicy = { defaultHoldMs: 15 * 60_000, maxHoldMs: 60 * 60_000 };

export interface InventoryDeps {
  readonly store: InventoryStore;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly policy: InventoryPolicy;
  /** Optional read-through cache of availability; the store stays the source of truth. */
  readonly availabilityCache?: AvailabilityCache | undefined;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export function pageSizeOf(requested: number | undefined): number {
  return Math.min(Math.max(requested || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
}
