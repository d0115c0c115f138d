import type { TenantId } from "../kit/request-context.ts";
import type { PromotionSnapshot } from "./promotion.ts";

/** A tenant's promotions. `add` fails ALREADY_EXISTS (`CART.PROMOTION_CODE_TAKEN`) for a code in use. */
export interface PromotionRepository {
  findByCode(tenantId: TenantId, code: string): Promise<PromotionSnapshot | undefined>;
  /** How often the user has redeemed the code (counted from orders). */
  userRedemptions(tenantId: TenantId, code: string, userId: string): Promise<number>;
}
