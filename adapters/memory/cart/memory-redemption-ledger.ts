import type { TenantId } from "../../../core/kit/request-context.ts";
import type { OrderRedemption, RedemptionLedger } from "../../../core/cart/order-redemptions.ts";
import type { MemoryPromotionRepository } from "./memory-promotion-repository.ts";

/** Orders and their redemptions in a Map; counts go to the memory promotion store. */
export class MemoryRedemptionLedger implements RedemptionLedger {
  readonly #orders = new Map<string, OrderRedemption>();
  readonly #promotions: MemoryPromotionRepository;

  constructor(promotions: MemoryPromotionRepository) {
    this.#promotions = promotions;
  }

  async record(order: OrderRedemption): Promise<boolean> {
    const key = `${order.tenantId}/${order.orderId}`;
    if (this.#orders.has(key)) return false;
    this.#orders.set(key, order);
    for (const code of order.codes) this.#promotions.countRedemption(order.tenantId, code, order.userId, 1);
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
