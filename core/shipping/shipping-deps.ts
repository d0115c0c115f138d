import type { Clock } from "../kit/clock.ts";
import type { IdGenerator } from "../kit/ids.ts";
import type { Carrier } from "./carrier.ts";
import type { ServiceLevel } from "./shipment.ts";
import type { ShipmentStore } from "./shipment-store.ts";

export interface ShippingPolicy {
  /** OrderConfirmed carries no service level: every order ships at this one. */
  readonly defaultServiceLevel: ServiceLevel;
  /** A status report dated further ahead than this is refused (a wrong clock, not a future event). */
  readonly maxClockSkewMs: number;
}

export const DEFAULT_SHIPPING_POLICY: ShippingPolicy = { defaultServiceLevel: "standard", maxClockSkewMs: 60 * 60_000 };

export interface ShippingDeps {
  readonly store: ShipmentStore;
  readonly carrier: Carrier;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly policy: ShippingPolicy;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function pageSizeOf(requested: number | undefined): number {
  return Math.min(Math.max(requested || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
}
