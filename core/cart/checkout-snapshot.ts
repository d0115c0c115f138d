import type { TenantId } from "../kit/request-context.ts";
import type { PricedPromotion } from "./cart-pricing.ts";
import type { CartLineView } from "./cart-view.ts";

/** Where an order ships (the tax destination is its country and area). */
export interface ShippingAddress {
  readonly recipientName: string;
  readonly addressLines: readonly string[];
  readonly locality: string;
  readonly administrativeArea: string;
  readonly postalCode: string;
  /** ISO 3166-1 alpha-2, upper-case. */
  readonly countryCode: string;
  readonly phoneNumber: string;
}

/**
 * A cart frozen for checkout at one version: lines re-priced with tax, the promotions that
 * still apply, totals, the destination. Immutable; keyed by (tenant, cart id, cart version).
 */
export interface CheckoutSnapshot {
  readonly tenantId: TenantId;
  readonly cartId: string;
  readonly cartVersion: number;
  readonly userId: string;
  readonly currency: string;
  readonly lines: readonly CartLineView[];
  readonly promotions: readonly PricedPromotion[];
  readonly subtotalMinor: number;
  readonly discountTotalMinor: number;
  readonly taxTotalMinor: number;
  readonly totalMinor: number;
  readonly shippingAddress: ShippingAddress;
  /** SKUs that cannot be bought now: while any remains, PlaceOrder must refuse the snapshot. */
  readonly unavailableSkus: readonly string[];
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export const isReadyForCheckout = (snapshot: CheckoutSnapshot) => snapshot.unavailableSkus.length === 0;

/**
 * Snapshots of carts (MariaDB in the mesh, SQLite embedded, memory in unit tests). `put` stores a
 * new one and drops the cart's older versions (only the newest version can be ordered); a
 * second `put` of the same key is ALREADY_EXISTS (`CART.SNAPSHOT_TAKEN`): snapshots never change.
 */
export interface CheckoutSnapshotRepository {
  put(snapshot: CheckoutSnapshot): Promise<void>;
  find(tenantId: TenantId, cartId: string, cartVersion: number): Promise<CheckoutSnapshot | undefined>;
}

export function encodeCheckoutSnapshot(snapshot: CheckoutSnapshot): string {
  return JSON.stringify(snapshot);
}

export function decodeCheckoutSnapshot(text: string): CheckoutSnapshot {
  const raw = JSON.parse(text) as CheckoutSnapshot & { createdAt: string; expiresAt: string };
  return { ...raw, createdAt: new Date(raw.createdAt), expiresAt: new Date(raw.expiresAt) };
}
