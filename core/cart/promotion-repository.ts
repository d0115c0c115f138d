import type { TenantId } from "../kit/request-context.ts";
import type { PromotionSnapshot } from "./promotion.ts";

/** The request a promotion was created by (CreatePromotion is idempotent on its key). */
export interface PromotionCreation {
  /** SHA-256 of the idempotency key. */
  readonly keyHash: string;
  /** SHA-256 of the request. */
  readonly fingerprint: string;
}

/** One page of a tenant's promotions, newest first (created_at, then id, descending). */
export interface PromotionPageQuery {
  /** Also disabled and ended ones. */
  readonly includeInactive: boolean;
  /** Ended means end_time before this instant. */
  readonly now: Date;
  /** The last (createdAt, id) of the previous page. */
  readonly after: { readonly createdAt: Date; readonly id: string } | undefined;
  readonly limit: number;
}

/**
 * A tenant's promotions. `add` fails ALREADY_EXISTS (`CART.PROMOTION_CODE_TAKEN`) for a code in
 * use and (`CART.IDEMPOTENCY_KEY_TAKEN`) for a creation key stored meanwhile; `update` writes a
 * promotion whose stored version is `version - 1` (ABORTED `CART.CONCURRENT_UPDATE` otherwise).
 */
export interface PromotionRepository {
  findByCode(tenantId: TenantId, code: string): Promise<PromotionSnapshot | undefined>;
  findById(tenantId: TenantId, id: string): Promise<PromotionSnapshot | undefined>;
  /** The promotion created under that key, with the fingerprint of its request. */
  findByCreation(tenantId: TenantId, keyHash: string): Promise<{ promotion: PromotionSnapshot; fingerprint: string } | undefined>;
  add(promotion: PromotionSnapshot, creation: PromotionCreation): Promise<void>;
  update(promotion: PromotionSnapshot): Promise<void>;
  list(tenantId: TenantId, query: PromotionPageQuery): Promise<readonly PromotionSnapshot[]>;
  /** How often the user has redeemed the code (counted from orders). */
  userRedemptions(tenantId: TenantId, code: string, userId: string): Promise<number>;
}
