import { type InferEntity, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { Cart, type CartSnapshot } from "../../../core/cart/cart.ts";
import type { CartAnswerRecord } from "../../../core/cart/cart-idempotency.ts";
import type { CartRepository, CartSaveOptions } from "../../../core/cart/cart-repository.ts";
import { CartAnswerRow, CartRecord } from "./cart-record.ts";

type Row = InferEntity<typeof CartRecord>;
const READ = { disableIdentityMap: true } as const;

const changedMeanwhile = (cartId: string) => conflict("CART.CONCURRENT_UPDATE", `cart ${cartId} was changed meanwhile`);

/** Carts in MariaDB or SQLite: the cart, the merged-away guest cart and the answer commit together. */
export class MikroOrmCartRepository implements CartRepository {
  readonly #em: SqlEntityManager;

  constructor(em: SqlEntityManager) {
    this.#em = em;
  }

  async find(tenantId: TenantId, cartId: string): Promise<Cart | undefined> {
    const row = await this.#em.fork().findOne(CartRecord, { tenantId, id: cartId }, READ);
    return row ? Cart.restore(toSnapshot(row)) : undefined;
  }

  async save(cart: Cart, options: CartSaveOptions = {}): Promise<void> {
    if (!cart.hasChanges && !options.answer && !options.removing) return;
    await this.#em.fork().transactional(async (tx) => {
      if (cart.hasChanges) {
        if (cart.loadedVersion === 0) {
          try {
            await tx.insert(CartRecord, toRow(cart.snapshot()));
          } catch (error) {
            if (error instanceof UniqueConstraintViolationException) throw changedMeanwhile(cart.id);
            throw error;
          }
        } else {
          const changed = await tx.nativeUpdate(
            CartRecord,
            { tenantId: cart.tenantId, id: cart.id, version: cart.loadedVersion },
            toRow(cart.snapshot()),
          );
          if (changed !== 1) throw changedMeanwhile(cart.id);
        }
      }
      const removing = options.removing;
      if (removing) {
        const deleted = await tx.nativeDelete(CartRecord, {
          tenantId: removing.tenantId,
          id: removing.id,
          version: removing.loadedVersion,
        });
        if (deleted !== 1) throw changedMeanwhile(removing.id);
      }
      if (options.answer) {
        try {
          await tx.insert(CartAnswerRow, { tenantId: cart.tenantId, ...options.answer });
        } catch (error) {
          if (error instanceof UniqueConstraintViolationException) {
            throw alreadyExists("CART.IDEMPOTENCY_KEY_TAKEN", "idempotency_key: stored meanwhile");
          }
          throw error;
        }
      }
    });
  }

  async findAnswer(tenantId: TenantId, scope: string, keyHash: string): Promise<CartAnswerRecord | undefined> {
    const row = await this.#em.fork().findOne(CartAnswerRow, { tenantId, scope, keyHash }, READ);
    return row
      ? { scope: row.scope, keyHash: row.keyHash, fingerprint: row.fingerprint, response: row.response, createdAt: row.createdAt }
      : undefined;
  }
}

function toRow(s: CartSnapshot): Row {
  return {
    tenantId: s.tenantId,
    id: s.id,
    userId: s.userId ?? null,
    lines: JSON.stringify(s.lines),
    promotionCodes: JSON.stringify(s.promotionCodes),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    expiresAt: s.expiresAt,
    version: s.version,
  };
}

function toSnapshot(row: Row): CartSnapshot {
  return {
    tenantId: row.tenantId as TenantId,
    id: row.id,
    userId: row.userId ?? undefined,
    lines: JSON.parse(row.lines),
    promotionCodes: JSON.parse(row.promotionCodes),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    expiresAt: row.expiresAt,
    version: row.version,
  };
}
