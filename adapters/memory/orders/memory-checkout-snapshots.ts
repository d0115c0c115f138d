import { failedPrecondition, notFound, permissionDenied } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import type { CheckoutSnapshot, CheckoutSnapshots } from "../../../core/orders/checkout-snapshots.ts";

/** Checkout snapshots put in by a test, answered like cart.GetCheckoutSnapshot (latest version per cart). */
export class MemoryCheckoutSnapshots implements CheckoutSnapshots {
  readonly #snapshots = new Map<string, CheckoutSnapshot>();
  calls = 0;

  put(tenantId: TenantId, snapshot: CheckoutSnapshot): void {
    this.#snapshots.set(`${tenantId}/${snapshot.cartId}`, snapshot);
  }

  async get(ctx: { tenantId: TenantId; caller?: { userId: string } | undefined }, cartId: string, cartVersion: number) {
    this.calls++;
    const snapshot = this.#snapshots.get(`${ctx.tenantId}/${cartId}`);
    if (!snapshot) throw notFound("cart", cartId);
    if (snapshot.userId !== ctx.caller?.userId) throw permissionDenied("not your cart");
    if (snapshot.cartVersion !== cartVersion) throw failedPrecondition("CART.VERSION_STALE", `cart ${cartId} changed`);
    return snapshot;
  }
}
