import { type InferEntity, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import type { PromotionDefinition, PromotionSnapshot, PromotionStatus } from "../../../core/cart/promotion.ts";
import type { PromotionCreation, PromotionPageQuery, PromotionRepository } from "../../../core/cart/promotion-repository.ts";
import { PromotionRecord } from "./cart-pricing-records.ts";
import { userRedemptionCount } from "./mikro-orm-redemption-ledger.ts";

type Row = InferEntity<typeof PromotionRecord>;
const READ = { disableIdentityMap: true } as const;

/**
 * Promotions in MariaDB or SQLite. Redemptions are counted by the ledger
 * (`mikro-orm-redemption-ledger.ts`, same database): `redemption_count` on the row, the user's
 * count from `cart_redemptions`. `update` writes status and version only, so a concurrent
 * redemption count is never overwritten.
 */
export class MikroOrmPromotionRepository implements PromotionRepository {
  readonly #em: SqlEntityManager;

  constructor(em: SqlEntityManager) {
    this.#em = em;
  }

  async findByCode(tenantId: TenantId, code: string): Promise<PromotionSnapshot | undefined> {
    const row = await this.#em.fork().findOne(PromotionRecord, { tenantId, code }, READ);
    return row ? toSnapshot(row) : undefined;
  }

  async findById(tenantId: TenantId, id: string): Promise<PromotionSnapshot | undefined> {
    const row = await this.#em.fork().findOne(PromotionRecord, { tenantId, id }, READ);
    return row ? toSnapshot(row) : undefined;
  }

  async findByCreation(tenantId: TenantId, keyHash: string) {
    const row = await this.#em.fork().findOne(PromotionRecord, { tenantId, creationKeyHash: keyHash }, READ);
    return row ? { promotion: toSnapshot(row), fingerprint: row.creationFingerprint } : undefined;
  }

  async add(promotion: PromotionSnapshot, creation: PromotionCreation): Promise<void> {
    const em = this.#em.fork();
    try {
      await em.insert(PromotionRecord, {
        ...toRow(promotion),
        creationKeyHash: creation.keyHash,
        creationFingerprint: creation.fingerprint,
      });
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const sameKey = await em.findOne(
        PromotionRecord,
        { tenantId: promotion.tenantId, creationKeyHash: creation.keyHash },
        READ,
      );
      if (sameKey) throw alreadyExists("CART.IDEMPOTENCY_KEY_TAKEN", "idempotency_key: stored meanwhile");
      throw alreadyExists("CART.PROMOTION_CODE_TAKEN", `promotion code ${promotion.definition.code} is in use`);
    }
  }

  async update(promotion: PromotionSnapshot): Promise<void> {
    const changed = await this.#em
      .fork()
      .nativeUpdate(
        PromotionRecord,
        { tenantId: promotion.tenantId, id: promotion.id, version: promotion.version - 1 },
        { status: promotion.status, updatedAt: promotion.updatedAt, version: promotion.version },
      );
    if (changed !== 1) throw conflict("CART.CONCURRENT_UPDATE", `promotion ${promotion.id} was changed meanwhile`);
  }

  async list(tenantId: TenantId, query: PromotionPageQuery): Promise<readonly PromotionSnapshot[]> {
    const after = query.after;
    const rows = await this.#em.fork().find(
      PromotionRecord,
      {
        tenantId,
        ...(query.includeInactive ? {} : { status: "active", $or: [{ endsAt: null }, { endsAt: { $gte: query.now } }] }),
        ...(after
          ? { $and: [{ $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }] }] }
          : {}),
      },
      { ...READ, orderBy: { createdAt: "desc", id: "desc" }, limit: query.limit },
    );
    return rows.map(toSnapshot);
  }

  async userRedemptions(tenantId: TenantId, code: string, userId: string): Promise<number> {
    return userRedemptionCount(this.#em, tenantId, code, userId);
  }
}

function toRow(s: PromotionSnapshot) {
  return {
    tenantId: s.tenantId,
    id: s.id,
    code: s.definition.code,
    status: s.status,
    definition: JSON.stringify(s.definition),
    endsAt: s.definition.endsAt ?? null,
    redemptionCount: s.redemptionCount,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version,
  };
}

function toSnapshot(row: Row): PromotionSnapshot {
  const raw = JSON.parse(row.definition) as Omit<PromotionDefinition, "startsAt" | "endsAt"> & {
    startsAt?: string;
    endsAt?: string;
  };
  return {
    tenantId: row.tenantId as TenantId,
    id: row.id,
    status: row.status as PromotionStatus,
    definition: {
      ...raw,
      startsAt: raw.startsAt === undefined ? undefined : new Date(raw.startsAt),
      endsAt: raw.endsAt === undefined ? undefined : new Date(raw.endsAt),
    },
    redemptionCount: row.redemptionCount,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
  };
}
