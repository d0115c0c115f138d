import type { Redis } from "ioredis";
import type { Clock } from "../../core/kit/clock.ts";
import { isDomainError } from "../../core/kit/domain-error.ts";
import type { TenantId } from "../../core/kit/request-context.ts";
import { Cart } from "../../core/cart/cart.ts";
import type { CartAnswerRecord } from "../../core/cart/cart-idempotency.ts";
import type { CartRepository, CartSaveOptions } from "../../core/cart/cart-repository.ts";
import { decodeCartSnapshot, encodeCartSnapshot } from "../../core/cart/cart-view.ts";

export interface RedisCartRepositoryOptions {
  readonly clock: Clock;
  /** A Redis command failed (the call went to the database instead): log it, count it. */
  readonly onError?: (error: unknown, operation: "get" | "put" | "delete") => void;
}

/**
 * `cart:<tenant>:<cart id>`; a user's cart id is `u-<user id>`, so tenant and user are in the key.
 * Its TTL is the cart's own sliding expiry (pushed by every change).
 */
export const cartKey = (tenantId: TenantId, cartId: string) => `cart:${tenantId}:${cartId}`;

/**
 * Carts in Redis in front of the database (the source of truth). A read tries Redis, falls back
 * to the database on a miss and re-warms; a save writes the database first, then Redis (the key
 * is dropped before the write, so a failed refresh leaves a miss, never a stale copy); answers
 * are always read from the database. A Redis outage costs latency, never an error.
 */
export class RedisCartRepository implements CartRepository {
  readonly #redis: Redis;
  readonly #db: CartRepository;
  readonly #clock: Clock;
  readonly #report: NonNullable<RedisCartRepositoryOptions["onError"]>;

  constructor(redis: Redis, db: CartRepository, options: RedisCartRepositoryOptions) {
    this.#redis = redis;
    this.#db = db;
    this.#clock = options.clock;
    this.#report = options.onError ?? (() => {});
  }

  async find(tenantId: TenantId, cartId: string): Promise<Cart | undefined> {
    try {
      const text = await this.#redis.get(cartKey(tenantId, cartId));
      if (text !== null) return Cart.restore(decodeCartSnapshot(text));
    } catch (error) {
      this.#report(error, "get");
    }
    const cart = await this.#db.find(tenantId, cartId);
    if (cart) await this.#put(cart);
    return cart;
  }

  async save(cart: Cart, options: CartSaveOptions = {}): Promise<void> {
    const keys = [cart, ...(options.removing ? [options.removing] : [])].map((c) => cartKey(c.tenantId, c.id));
    await this.#delete(keys);
    try {
      await this.#db.save(cart, options);
    } catch (error) {
      if (isDomainError(error) && error.kind === "conflict") await this.#delete(keys);
      throw error;
    }
    await this.#put(cart);
  }

  findAnswer(tenantId: TenantId, scope: string, keyHash: string): Promise<CartAnswerRecord | undefined> {
    return this.#db.findAnswer(tenantId, scope, keyHash);
  }

  async #put(cart: Cart): Promise<void> {
    const snapshot = cart.snapshot();
    const ttlMs = snapshot.expiresAt.getTime() - this.#clock.now().getTime();
    if (ttlMs <= 0 || snapshot.version === 0) return;
    try {
      await this.#redis.set(cartKey(snapshot.tenantId, snapshot.id), encodeCartSnapshot(snapshot), "PX", ttlMs);
    } catch (error) {
      this.#report(error, "put");
    }
  }

  async #delete(keys: readonly string[]): Promise<void> {
    try {
      await this.#redis.del(...keys);
    } catch (error) {
      this.#report(error, "delete");
    }
  }
}
