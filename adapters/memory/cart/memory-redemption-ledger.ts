import type { TenantId } from "../../../core/kit/request-context.ts";
import type {
  OrderRedemption,
  RedemptionHoldRequest,
  RedemptionLedger,
  RefusedHold,
} from "../../../core/cart/order-redemptions.ts";
import type { MemoryPromotionRepository } from "./memory-promotion-repository.ts";

interface Hold {
  readonly tenantId: TenantId;
  readonly code: string;
  readonly cartId: string;
  readonly cartVersion: number;
  readonly userId: string;
  readonly expiresAt: Date;
}

/**
 * Orders, their redemptions and checkout holds in Maps; counts go to the memory promotion store.
 * Each method runs without awaiting in between, so concurrent calls cannot interleave.
 */
export class MemoryRedemptionLedger implements RedemptionLedger {
  readonly #orders = new Map<string, OrderRedemption>();
  /** By `tenant/cart id/code`. */
  readonly #holds = new Map<string, Hold>();
  readonly #promotions: MemoryPromotionRepository;

  constructor(promotions: MemoryPromotionRepository) {
    this.#promotions = promotions;
  }

  async hold(request: RedemptionHoldRequest): Promise<readonly RefusedHold[]> {
    const { tenantId, cartId, userId, now } = request;
    const others = [...this.#holds.values()].filter(
      (h) => h.tenantId === tenantId && h.cartId !== cartId && h.expiresAt.getTime() > now.getTime(),
    );
    const refused: RefusedHold[] = [];
    const held: Hold[] = [];
    for (const { code, maxRedemptions, maxRedemptionsPerUser } of request.codes) {
      const holds = others.filter((h) => h.code === code);
      const redeemed = this.#promotions.redemptionCountOf(tenantId, code);
      const userUses =
        this.#promotions.userRedemptionCountOf(tenantId, code, userId) + holds.filter((h) => h.userId === userId).length;
      if (maxRedemptions > 0 && redeemed + holds.length >= maxRedemptions) refused.push({ code, reason: "exhausted" });
      else if (maxRedemptionsPerUser > 0 && userUses >= maxRedemptionsPerUser) refused.push({ code, reason: "user_limit" });
      else held.push({ tenantId, code, cartId, cartVersion: request.cartVersion, userId, expiresAt: request.expiresAt });
    }
    for (const [key, h] of this.#holds) if (h.tenantId === tenantId && h.cartId === cartId) this.#holds.delete(key);
    for (const h of held) this.#holds.set(`${tenantId}/${cartId}/${h.code}`, h);
    return refused;
  }

  async record(order: OrderRedemption): Promise<boolean> {
    const key = `${order.tenantId}/${order.orderId}`;
    if (this.#orders.has(key)) return false;
    this.#orders.set(key, order);
    for (const code of order.codes) {
      const holdKey = `${order.tenantId}/${order.cartId}/${code}`;
      const hold = this.#holds.get(holdKey);
      if (hold && hold.cartVersion <= order.cartVersion) this.#holds.delete(holdKey);
      this.#promotions.countRedemption(order.tenantId, code, order.userId, 1);
    }
    return true;
  }

  async find(tenantId: TenantId, orderId: string): Promise<OrderRedemption | undefined> {
    return this.#orders.get(`${tenantId}/${orderId}`);
  }

  async giveBack(tenantId: TenantId, orderId: string): Promise<boolean> {
    const order = this.#orders.get(`${tenantId}/${orderId}`);
    if (!order || order.returned) return false;
    this.#orders.set(`${tenantId}/${orderId}`, { ...order, returned: true });
    for (const code of order.codes) this.#promotions.countRedemption(tenantId, code, order.userId, -1);
    return true;
  }
}
