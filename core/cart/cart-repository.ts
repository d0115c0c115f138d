import type { TenantId } from "../kit/request-context.ts";
import type { Cart } from "./cart.ts";
import type { CartAnswerRecord } from "./cart-idempotency.ts";

/** What one save writes together with the cart. */
export interface CartSaveOptions {
  /** The idempotency record of the command (written even when the cart did not change). */
  readonly answer?: CartAnswerRecord | undefined;
  /** A cart deleted in the same write (the guest cart of a merge). */
  readonly removing?: Cart | undefined;
}

/**
 * Where carts live. `save` inserts a new cart (loadedVersion 0) or updates one whose stored
 * version is still `loadedVersion`, with the answer and the removal in the same write; a lost
 * race is ABORTED (`CART.CONCURRENT_UPDATE`), a taken answer key is ALREADY_EXISTS
 * (`CART.IDEMPOTENCY_KEY_TAKEN`). `find` ignores expiry: the use case decides.
 */
export interface CartRepository {
  find(tenantId: TenantId, cartId: string): Promise<Cart | undefined>;
  save(cart: Cart, options?: CartSaveOptions): Promise<void>;
  findAnswer(tenantId: TenantId, scope: string, keyHash: string): Promise<CartAnswerRecord | undefined>;
}
