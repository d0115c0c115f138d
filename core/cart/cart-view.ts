import type { CartSnapshot } from "./cart.ts";
import type { PricedPromotion } from "./cart-pricing.ts";

/** One line as callers see it: prices in minor units of the cart currency (or of its own `currency`). */
export interface CartLineView {
  readonly sku: string;
  readonly productId: string;
  readonly productName: string;
  readonly imageUrl: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
  readonly subtotalMinor: number;
  readonly discountMinor: number;
  readonly taxMinor: number;
  readonly totalMinor: number;
  readonly taxClass: string;
  /** min(availability, per-line maximum); the per-line maximum when inventory did not answer. */
  readonly maxQuantity: number;
  /**
   * Only on a line priced in another currency than the cart's (a misconfigured catalog): its
   * amounts are in this one, and the cart's totals leave it out.
   */
  readonly currency?: string;
}

/** What the cart RPCs answer; also what an idempotency record stores. */
export interface CartView {
  readonly cartId: string;
  readonly userId: string | undefined;
  readonly version: number;
  readonly currency: string;
  readonly lines: readonly CartLineView[];
  readonly promotions: readonly PricedPromotion[];
  readonly subtotalMinor: number;
  readonly discountTotalMinor: number;
  readonly taxTotalMinor: number;
  readonly totalMinor: number;
  /** Catalog could not be reached: unit prices are the last known ones. */
  readonly pricesStale: boolean;
  readonly itemCount: number;
  readonly updatedAt: Date;
  readonly expiresAt: Date;
}

export function encodeCartView(view: CartView): string {
  return JSON.stringify(view);
}

export function decodeCartView(text: string): CartView {
  const raw = JSON.parse(text) as CartView & { updatedAt: string; expiresAt: string; userId: string | null };
  return { ...raw, userId: raw.userId ?? undefined, updatedAt: new Date(raw.updatedAt), expiresAt: new Date(raw.expiresAt) };
}

/** A cart snapshot as JSON (Redis) and back. */
export function encodeCartSnapshot(snapshot: CartSnapshot): string {
  return JSON.stringify(snapshot);
}

export function decodeCartSnapshot(text: string): CartSnapshot {
  const raw = JSON.parse(text) as CartSnapshot & {
    createdAt: string;
    updatedAt: string;
    expiresAt: string;
    userId: string | null;
  };
  return {
    ...raw,
    userId: raw.userId ?? undefined,
    createdAt: new Date(raw.createdAt),
    updatedAt: new Date(raw.updatedAt),
    expiresAt: new Date(raw.expiresAt),
  };
}
