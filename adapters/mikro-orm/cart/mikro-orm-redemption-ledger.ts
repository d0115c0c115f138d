import { type InferEntity, UniqueConstraintViolationException } from "@mikro-orm/core";
import { raw, type SqlEntityManager } from "@mikro-orm/sql";
import type { TenantId } from "../../../core/kit/request-context.ts";
import type { OrderRedemption, RedemptionLedger } from "../../../core/cart/order-redemptions.ts";
import { PromotionRecord } from "./cart-pricing-records.ts";
import { CartOrderRecord, CartRedemptionRecord } from "./checkout-records.ts";

type Row = InferEntity<typeof CartOrderRecord>;
const READ = { disableIdentityMap: true } as const;

/**
 * Redemptions in MariaDB or SQLite. One transaction per order: the order row (its primary key
 * makes a second OrderCreated of the order a no-op), one `cart_redemptions` row per code (the
 * user's count) and `redemption_count + 1` on each promotion (its total); giving back is the
 * reverse, guarded by `returned` so it happens once.
 */
export class MikroOrmRedemptionLedger implements RedemptionLedger {
  readonly #em: SqlEntityManager;

  constructor(em: SqlEntityManager) {
    this.#em = em;
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
        for (const code of order.codes) {
          await tx.insert(CartRedemptionRecord, { tenantId: order.tenantId, orderId: order.orderId, code, userId: order.userId });
          await tx.nativeUpdate(
            PromotionRecord,
            { tenantId: order.tenantId, code },
            { redemptionCount: raw("redemption_count + 1") },
          );
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
