import type { RequestContext } from "../kit/request-context.ts";
import type { OrderLine, OrderTotals, PostalAddress } from "./order.ts";

/** A cart frozen for checkout (cart.GetCheckoutSnapshot): what the order charges and fulfils. */
export interface CheckoutSnapshot {
  readonly cartId: string;
  readonly cartVersion: number;
  readonly userId: string;
  readonly lines: readonly OrderLine[];
  readonly promotionCodes: readonly string[];
  readonly totals: OrderTotals;
  readonly shippingAddress: PostalAddress;
  readonly expiresAt: Date;
  readonly readyForCheckout: boolean;
}

/**
 * Where PlaceOrder gets the snapshot, as the calling customer. Throws the cart's own errors:
 * NOT_FOUND, PERMISSION_DENIED (not the caller's cart), FAILED_PRECONDITION `CART.VERSION_STALE`,
 * UNAVAILABLE when the cart cannot be asked.
 */
export interface CheckoutSnapshots {
  get(ctx: RequestContext, cartId: string, cartVersion: number): Promise<CheckoutSnapshot>;
}
