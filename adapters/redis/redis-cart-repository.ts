import type { Redis } from "ioredis";
import type { Clock } from "../../core/kit/clock.ts";
import { isDomainError } from "../../core/kit/domain-error.ts";
import type { TenantId } from "../../core/kit/request-context.ts";
import { Cart } from "../../core/cart/cart.ts";
import type { CartAnswerRecord } from "../../core/cart/cart-idempotency.ts";
import type { CartRepository, CartSaveOptions } from "../../core/cart/cart-repository.ts";
import { decodeCartEntry, encodeCartEntry, PUT_CART_UNLESS_NEWER } from "./redis-cart-entry.ts";
import { RedisServerIdentity, readRunId } from "./redis-server-identity.ts";

export interface RedisCartRepositoryOptions {
  readonly clock: Clock;
  /** A Redis command failed (the call went to the database instead): log it, count it. */
  readonly onError?: (error: unknown, operation: "get" | "put" | "delete" | "identify") => void;
  /** Longest a copy stays in Redis (sooner when the cart expires sooner). Default 15 minutes. */
  readonly maxCopyTtlMs?: number;
  /** Which server process a connection reaches: INFO's run_id unless a test stands in a restarted one. */
  readonly identifyServer?: (redis: Redis) => Promise<string>;
}

export const DEFAULT_MAX_CART_COPY_TTL_MS = 15 * 60_000;
/** Keys remembered as possibly stale while Redis refuses deletes; beyond that the copy TTL bounds them. */
const MAX_PENDING_KEYS = 100_000;
const FLUSH_BATCH = 500;

/**
 * `cart:<tenant>:<cart id>`; a user's cart id is `u-<user id>`, so tenant and user are in the key.
 * Its TTL is the cart's own sliding expiry (pushed by every change), capped by the copy TTL.
 */
export const cartKey = (tenantId: TenantId, cartId: string) => `cart:${tenantId}:${cartId}`;

/**
 * Carts in Redis in front of the database (the source of truth). A read tries Redis, falls back
 * to the database on a miss and re-warms; a save drops the key, writes the database, then puts
 * the new copy; answers are always read from the database. A Redis outage costs latency, never
 * an error. A read never answers a copy older than the database's in the cases this store can see:
 * - a re-warm racing a save: copies carry their version and a put never replaces a newer one;
 * - a Redis restored from an older snapshot, or a replica promoted: copies carry the run_id of
 *   the server they were written to, and one written to another server process is read from the
 *   database instead (and re-stamped), once per cart after the switch;
 * - a save whose drop and refresh both failed: the key is remembered, read from the database and
 *   dropped (or refreshed) as soon as Redis answers this process again.
 * What no process can see (a writer cut off from a Redis that others still read, then gone) is
 * bounded by the copy TTL.
 */
export class RedisCartRepository implements CartRepository {
  readonly #redis: Redis;
  readonly #db: CartRepository;
  readonly #clock: Clock;
  readonly #report: NonNullable<RedisCartRepositoryOptions["onError"]>;
  readonly #maxCopyTtlMs: number;
  readonly #servers: RedisServerIdentity;
  /** Keys whose copy may be older than the database (a failed write-through). */
  readonly #pending = new Set<string>();

  constructor(redis: Redis, db: CartRepository, options: RedisCartRepositoryOptions) {
    this.#redis = redis;
    this.#db = db;
    this.#clock = options.clock;
    this.#report = options.onError ?? (() => {});
    this.#maxCopyTtlMs = options.maxCopyTtlMs ?? DEFAULT_MAX_CART_COPY_TTL_MS;
    this.#servers = new RedisServerIdentity(redis, options.identifyServer ?? readRunId, (error) =>
      this.#report(error, "identify"),
    );
  }

  async find(tenantId: TenantId, cartId: string): Promise<Cart | undefined> {
    const key = cartKey(tenantId, cartId);
    const server = this.#pending.has(key) ? undefined : await this.#servers.current();
    if (server) {
      try {
        const text = await this.#redis.get(key);
        await this.#flushPending();
        const snapshot = text === null ? undefined : decodeCartEntry(text, server.runId);
        if (snapshot && this.#servers.isCurrent(server)) return Cart.restore(snapshot);
      } catch (error) {
        this.#report(error, "get");
      }
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
    if (!(await this.#put(cart))) this.#remember([cartKey(cart.tenantId, cart.id)]);
  }

  findAnswer(tenantId: TenantId, scope: string, keyHash: string): Promise<CartAnswerRecord | undefined> {
    return this.#db.findAnswer(tenantId, scope, keyHash);
  }

  /** Puts the cart unless Redis holds a newer copy. True when Redis now holds this version or a newer one. */
  async #put(cart: Cart): Promise<boolean> {
    const snapshot = cart.snapshot();
    const key = cartKey(snapshot.tenantId, snapshot.id);
    const ttlMs = Math.min(snapshot.expiresAt.getTime() - this.#clock.now().getTime(), this.#maxCopyTtlMs);
    if (ttlMs <= 0 || snapshot.version === 0) return true;
    const server = await this.#servers.current();
    if (!server) return false;
    try {
      await this.#redis.eval(
        PUT_CART_UNLESS_NEWER,
        1,
        key,
        snapshot.version,
        server.runId,
        encodeCartEntry(snapshot, server.runId),
        Math.ceil(ttlMs),
      );
      this.#pending.delete(key);
      return true;
    } catch (error) {
      this.#report(error, "put");
      return false;
    }
  }

  async #delete(keys: readonly string[]): Promise<void> {
    try {
      await this.#redis.del(...keys);
      for (const key of keys) this.#pending.delete(key);
    } catch (error) {
      this.#report(error, "delete");
      this.#remember(keys);
    }
  }

  #remember(keys: readonly string[]): void {
    for (const key of keys) if (this.#pending.size < MAX_PENDING_KEYS) this.#pending.add(key);
  }

  /** Drops the copies a failed write-through may have left, once Redis answers again. */
  async #flushPending(): Promise<void> {
    while (this.#pending.size > 0) {
      const batch = [...this.#pending].slice(0, FLUSH_BATCH);
      await this.#redis.del(...batch);
      for (const key of batch) this.#pending.delete(key);
    }
  }
}
