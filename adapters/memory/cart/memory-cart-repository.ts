import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { Cart, type CartSnapshot } from "../../../core/cart/cart.ts";
import type { CartAnswerRecord } from "../../../core/cart/cart-idempotency.ts";
import type { CartRepository, CartSaveOptions } from "../../../core/cart/cart-repository.ts";

/** Carts and answers in Maps: for unit tests; passes the same contract as the SQL and Redis ones. */
export class MemoryCartRepository implements CartRepository {
  readonly #carts = new Map<string, CartSnapshot>();
  readonly #answers = new Map<string, CartAnswerRecord>();

  async find(tenantId: TenantId, cartId: string): Promise<Cart | undefined> {
    const row = this.#carts.get(`${tenantId}/${cartId}`);
    return row && Cart.restore(row);
  }

  async save(cart: Cart, options: CartSaveOptions = {}): Promise<void> {
    const key = `${cart.tenantId}/${cart.id}`;
    const answerKey = options.answer && `${cart.tenantId}/${options.answer.scope}/${options.answer.keyHash}`;
    if (answerKey && this.#answers.has(answerKey))
      throw alreadyExists("CART.IDEMPOTENCY_KEY_TAKEN", "idempotency_key: stored meanwhile");
    if (cart.hasChanges && (this.#carts.get(key)?.version ?? 0) !== cart.loadedVersion) {
      throw conflict("CART.CONCURRENT_UPDATE", `cart ${cart.id} was changed meanwhile`);
    }
    const removing = options.removing && `${options.removing.tenantId}/${options.removing.id}`;
    if (removing && this.#carts.get(removing)?.version !== options.removing?.loadedVersion) {
      throw conflict("CART.CONCURRENT_UPDATE", `cart ${options.removing?.id} was changed meanwhile`);
    }
    if (cart.hasChanges) this.#carts.set(key, cart.snapshot());
    if (removing) this.#carts.delete(removing);
    if (answerKey && options.answer) this.#answers.set(answerKey, options.answer);
  }

  async findAnswer(tenantId: TenantId, scope: string, keyHash: string): Promise<CartAnswerRecord | undefined> {
    return this.#answers.get(`${tenantId}/${scope}/${keyHash}`);
  }
}
