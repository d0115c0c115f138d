import { alreadyExists } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import type { CheckoutSnapshot, CheckoutSnapshotRepository } from "../../../core/cart/checkout-snapshot.ts";

/** Checkout snapshots in a Map, the newest version per cart: for unit tests and the embedded fallback. */
export class MemoryCheckoutSnapshotRepository implements CheckoutSnapshotRepository {
  readonly #snapshots = new Map<string, CheckoutSnapshot>();

  async put(snapshot: CheckoutSnapshot): Promise<void> {
    const key = `${snapshot.tenantId}/${snapshot.cartId}`;
    const stored = this.#snapshots.get(key);
    if (stored && stored.cartVersion === snapshot.cartVersion) {
      throw alreadyExists("CART.SNAPSHOT_TAKEN", `cart ${snapshot.cartId} has a snapshot at version ${snapshot.cartVersion}`);
    }
    if (!stored || stored.cartVersion < snapshot.cartVersion) this.#snapshots.set(key, snapshot);
  }

  async find(tenantId: TenantId, cartId: string, cartVersion: number): Promise<CheckoutSnapshot | undefined> {
    const stored = this.#snapshots.get(`${tenantId}/${cartId}`);
    return stored?.cartVersion === cartVersion ? stored : undefined;
  }
}
