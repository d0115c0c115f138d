import type { TenantId } from "../../../core/kit/request-context.ts";
import type { PromotionSnapshot } from "../../../core/cart/promotion.ts";
import type { PromotionRepository } from "../../../core/cart/promotion-repository.ts";

/** Promotions and per-user redemption counts in Maps. */
export class MemoryPromotionRepository implements PromotionRepository {
  readonly #promotions = new Map<string, PromotionSnapshot>();
  readonly #redemptions = new Map<string, number>();

  put(promotion: PromotionSnapshot): void {
    this.#promotions.set(`${promotion.tenantId}/${promotion.definition.code}`, promotion);
  }

  redeemed(tenantId: TenantId, code: string, userId: string, times: number): void {
    this.#redemptions.set(`${tenantId}/${code}/${userId}`, times);
  }

  async findByCode(tenantId: TenantId, code: string): Promise<PromotionSnapshot | undefined> {
    return this.#promotions.get(`${tenantId}/${code}`);
  }

  async userRedemptions(tenantId: TenantId, code: string, userId: string): Promise<number> {
    return this.#redemptions.get(`${tenantId}/${code}/${userId}`) ?? 0;
  }
}
