import { type InferEntity, LockMode, UniqueConstraintViolationException } from "@mikro-orm/core";
import { raw, type SqlEntityManager } from "@mikro-orm/sql";
import { DomainError } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import type {
  OrderRedemption,
  RedemptionHoldRequest,
  RedemptionLedger,
  RefusedHold,
} from "../../../core/cart/order-redemptions.ts";
import { readCommittedTransaction } from "../transaction-retry.ts";
import { PromotionRecord } from "./cart-pricing-records.ts";
import { CartOrderRecord, CartRedemptionHoldRecord, CartRedemptionRecord } from "./checkout-records.ts";

type Row = InferEntity<typeof CartOrderRecord>;
const READ = { disableIdentityMap: true } as const;

/**
 * Redemptions and checkout holds in MariaDB or SQLite. A hold is taken in a read-committed
 * transaction holding the promotion row's write lock (`SELECT ... FOR UPDATE`), so every other
 * hold of the code and every redemption counted (which updates that row) waits or is seen:
 * redemptions + other carts' live holds are read and the hold written under one lock. Codes are
 * locked in code order everywhere, and a deadlock runs the transaction again.
 * One transaction per order: the order row (its primary key makes a second OrderCreated of the
 * order a no-op), one `cart_redemptions` row per code (the user's count), `redemption_count + 1`
 * on each promotion (its total) and the cart's hold of the code deleted; giving back is the
 * reverse of the counts, guarded by `returned` so it happens once.
 */
export class MikroOrmRedemptionLedger implements RedemptionLedger {
  readonly #em: SqlEntityManager;

  constructor(em: SqlEntityManager) {
    this.#em = em;
  }

  async hold(request: RedemptionHoldRequest): Promise<readonly RefusedHold[]> {
    const { tenantId, cartId, userId, now } = request;
    const codes = [...request.codes].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    if (codes.length === 0) {
      // Nothing to take: releasing the superseded holds is one statement, no transaction or lock.
      await this.#em.fork().nativeDelete(CartRedemptionHoldRecord, { tenantId, cartId });
      return [];
    }
    return readCommittedTransaction(
      this.#em,
      async (tx) => {
        const refused: RefusedHold[] = [];
        const held: string[] = [];
        for (const { code, maxRedemptions, maxRedemptionsPerUser } of codes) {
          const promotion = await tx.findOne(
            PromotionRecord,
            { tenantId, code },
            { lockMode: LockMode.PESSIMISTIC_WRITE, disableIdentityMap: true },
          );
          const otherHolds = { tenantId, code, cartId: { $ne: cartId }, expiresAt: { $gt: now } };
          if (maxRedemptions > 0) {
            const heldElsewhere = await tx.count(CartRedemptionHoldRecord, otherHolds);
            if ((promotion?.redemptionCount ?? 0) + heldElsewhere >= maxRedemptions) {
              refused.push({ code, reason: "exhausted" });
              continue;
            }
          }
          if (maxRedemptionsPerUser > 0) {
            const redeemed = await tx.count(CartRedemptionRecord, { tenantId, code, userId });
            const heldElsewhere = await tx.count(CartRedemptionHoldRecord, { ...otherHolds, userId });
            if (redeemed + heldElsewhere >= maxRedemptionsPerUser) {
              refused.push({ code, reason: "user_limit" });
              continue;
            }
          }
          held.push(code);
        }
        await tx.nativeDelete(CartRedemptionHoldRecord, { tenantId, cartId });
        for (const code of held) {
          await tx.insert(CartRedemptionHoldRecord, {
            tenantId,
            cartId,
            code,
            cartVersion: request.cartVersion,
            userId,
            expiresAt: request.expiresAt,
          });
        }
        return refused;
      },
      { busy: (cause) => new DomainError("conflict", "CART.BUSY", "promotion uses are busy: try again", { cause }) },
    );
  }

  async record(order: OrderRedemption): Promise<boolean> {
    try {
      await this.#em.fork().transactional(async (tx) => {
        await tx.insert(CartOrderRecord, {
          tenantId: order.tenantId,
          orderId: order.orderId,
          userId: order.userId,
          cartId: order.cartId,
          cartVersion: order.cartVersion,
          codes: JSON.stringify(order.codes),
          returned: false,
          createdAt: order.createdAt,
        });
        for (const code of [...order.codes].sort()) {
          await tx.nativeUpdate(
            PromotionRecord,
            { tenantId: order.tenantId, code },
            { redemptionCount: raw("redemption_count + 1") },
          );
          await tx.insert(CartRedemptionRecord, { tenantId: order.tenantId, orderId: order.orderId, code, userId: order.userId });
          await tx.nativeDelete(CartRedemptionHoldRecord, {
            tenantId: order.tenantId,
            cartId: order.cartId,
            code,
            cartVersion: { $lte: order.cartVersion },
          });
        }
      });
      return true;
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) return false;
      throw error;
    }
  }

  async find(tenantId: TenantId, orderId: string): Promise<OrderRedemption | undefined> {
    const row = await this.#em.fork().findOne(CartOrderRecord, { tenantId, orderId }, READ);
    return row ? toOrder(row) : undefined;
  }

  async giveBack(tenantId: TenantId, orderId: string): Promise<boolean> {
    return this.#em.fork().transactional(async (tx) => {
      const changed = await tx.nativeUpdate(CartOrderRecord, { tenantId, orderId, returned: false }, { returned: true });
      if (changed !== 1) return false;
      const row = await tx.findOneOrFail(CartOrderRecord, { tenantId, orderId }, READ);
      const codes = JSON.parse(row.codes) as string[];
      await tx.nativeDelete(CartRedemptionRecord, { tenantId, orderId });
      for (const code of codes) {
        await tx.nativeUpdate(
          PromotionRecord,
          { tenantId, code, redemptionCount: { $gt: 0 } },
          { redemptionCount: raw("redemption_count - 1") },
        );
      }
      return true;
    });
  }
}

/** How often `userId` has redeemed `code` in the tenant (live redemptions). */
export async function userRedemptionCount(em: SqlEntityManager, tenantId: TenantId, code: string, userId: string) {
  return em.fork().count(CartRedemptionRecord, { tenantId, code, userId });
}

function toOrder(row: Row): OrderRedemption {
  return {
    tenantId: row.tenantId as TenantId,
    orderId: row.orderId,
    userId: row.userId,
    cartId: row.cartId,
    cartVersion: row.cartVersion,
    codes: JSON.parse(row.codes),
    returned: row.returned,
    createdAt: row.createdAt,
  };
}
