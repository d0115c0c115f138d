import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { isListedAsActive } from "../../../core/cart/promotion-admin.ts";
import type { PromotionSnapshot } from "../../../core/cart/promotion.ts";
import type { PromotionCreation, PromotionPageQuery, PromotionRepository } from "../../../core/cart/promotion-repository.ts";

/** Promotions and per-user redemption counts in Maps. */
export class MemoryPromotionRepository implements PromotionRepository {
  readonly #promotions = new Map<string, PromotionSnapshot>();
  readonly #creations = new Map<string, { id: string; fingerprint: string }>();
  readonly #redemptions = new Map<string, number>();

  /** Test set-up: stores a promotion as it is (no checks). */
  put(promotion: PromotionSnapshot): void {
    this.#promotions.set(`${promotion.tenantId}/${promotion.id}`, promotion);
  }

  redeemed(tenantId: TenantId, code: string, userId: string, times: number): void {
    this.#redemptions.set(`${tenantId}/${code}/${userId}`, times);
  }

  /** One redemption more (or, with -1, one given back): the promotion's total and the user's count. */
  countRedemption(tenantId: TenantId, code: string, userId: string, delta: 1 | -1): void {
    const key = `${tenantId}/${code}/${userId}`;
    this.#redemptions.set(key, Math.max(0, (this.#redemptions.get(key) ?? 0) + delta));
    const promotion = [...this.#promotions.values()].find((p) => p.tenantId === tenantId && p.definition.code === code);
    if (promotion) this.put({ ...promotion, redemptionCount: Math.max(0, promotion.redemptionCount + delta) });
  }

  async findByCode(tenantId: TenantId, code: string): Promise<PromotionSnapshot | undefined> {
    return [...this.#promotions.values()].find((p) => p.tenantId === tenantId && p.definition.code === code);
  }

  /** The code's redemptions, read at once (the ledger's checks must not interleave). */
  redemptionCountOf(tenantId: TenantId, code: string): number {
    return (
      [...this.#promotions.values()].find((p) => p.tenantId === tenantId && p.definition.code === code)?.redemptionCount ?? 0
    );
  }

  userRedemptionCountOf(tenantId: TenantId, code: string, userId: string): number {
    return this.#redemptions.get(`${tenantId}/${code}/${userId}`) ?? 0;
  }

  async findById(tenantId: TenantId, id: string): Promise<PromotionSnapshot | undefined> {
    return this.#promotions.get(`${tenantId}/${id}`);
  }

  async findByCreation(tenantId: TenantId, keyHash: string) {
    const creation = this.#creations.get(`${tenantId}/${keyHash}`);
    const promotion = creation && this.#promotions.get(`${tenantId}/${creation.id}`);
    return creation && promotion ? { promotion, fingerprint: creation.fingerprint } : undefined;
  }

  async add(promotion: PromotionSnapshot, creation: PromotionCreation): Promise<void> {
    if (await this.findByCode(promotion.tenantId, promotion.definition.code)) {
      throw alreadyExists("CART.PROMOTION_CODE_TAKEN", `promotion code ${promotion.definition.code} is in use`);
    }
    const creationKey = `${promotion.tenantId}/${creation.keyHash}`;
    if (this.#creations.has(creationKey)) throw alreadyExists("CART.IDEMPOTENCY_KEY_TAKEN", "idempotency_key: stored meanwhile");
    this.#creations.set(creationKey, { id: promotion.id, fingerprint: creation.fingerprint });
    this.put(promotion);
  }

  async update(promotion: PromotionSnapshot): Promise<void> {
    const stored = this.#promotions.get(`${promotion.tenantId}/${promotion.id}`);
    if (stored?.version !== promotion.version - 1) {
      throw conflict("CART.CONCURRENT_UPDATE", `promotion ${promotion.id} was changed meanwhile`);
    }
    this.put(promotion);
  }

  async list(tenantId: TenantId, query: PromotionPageQuery): Promise<readonly PromotionSnapshot[]> {
    const after = query.after;
    return [...this.#promotions.values()]
      .filter((p) => p.tenantId === tenantId && (query.includeInactive || isListedAsActive(p, query.now)))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .filter(
        (p) =>
          !after ||
          p.createdAt.getTime() < after.createdAt.getTime() ||
          (p.createdAt.getTime() === after.createdAt.getTime() && p.id < after.id),
      )
      .slice(0, query.limit);
  }

  async userRedemptions(tenantId: TenantId, code: string, userId: string): Promise<number> {
    return this.#redemptions.get(`${tenantId}/${code}/${userId}`) ?? 0;
  }
}
