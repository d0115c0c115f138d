import { type InferEntity, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import { decodePageToken, encodePageToken } from "../../../core/kit/page-token.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import { Tenant, type TenantEvent, type TenantSnapshot, type TenantStatus } from "../../../core/auth/tenant.ts";
import type { TenantPage, TenantRepository } from "../../../core/auth/tenant-repository.ts";
import { appendToOutbox } from "../mikro-orm-outbox.ts";
import { TenantRecord } from "./tenant-record.ts";

type Row = InferEntity<typeof TenantRecord>;

/** Tenants in the auth database (MariaDB or SQLite); each change and its events commit together. */
export class MikroOrmTenantRepository implements TenantRepository {
  readonly #em: SqlEntityManager;
  readonly #toEvent: EventMapper<TenantEvent>;

  constructor(em: SqlEntityManager, toEvent: EventMapper<TenantEvent>) {
    this.#em = em;
    this.#toEvent = toEvent;
  }

  async find(id: TenantId): Promise<Tenant | undefined> {
    const row = await this.#em.fork().findOne(TenantRecord, { id }, { disableIdentityMap: true });
    return row ? Tenant.restore(toSnapshot(row)) : undefined;
  }

  async add(tenant: Tenant, ctx: RequestContext): Promise<void> {
    try {
      await this.#em.fork().transactional(async (tx) => {
        await tx.insert(TenantRecord, toRow(tenant.snapshot()));
        await appendToOutbox(
          tx,
          tenant.pullEvents().map((event) => this.#toEvent(event, ctx)),
        );
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw alreadyExists("TENANT.ALREADY_EXISTS", `tenant ${tenant.id} already exists`);
      }
      throw error;
    }
  }

  async update(tenant: Tenant, ctx: RequestContext): Promise<void> {
    if (!tenant.hasChanges) return;
    await this.#em.fork().transactional(async (tx) => {
      const changed = await tx.nativeUpdate(
        TenantRecord,
        { id: tenant.id, version: tenant.loadedVersion },
        toRow(tenant.snapshot()),
      );
      if (changed !== 1) throw conflict("TENANT.CONCURRENT_UPDATE", `tenant ${tenant.id} was changed meanwhile`);
      await appendToOutbox(
        tx,
        tenant.pullEvents().map((event) => this.#toEvent(event, ctx)),
      );
    });
  }

  async list(query: { status?: TenantStatus; pageSize: number; pageToken?: string }): Promise<TenantPage> {
    const after = decodePageToken(query.pageToken);
    const rows = await this.#em
      .fork()
      .find(
        TenantRecord,
        { ...(query.status ? { status: query.status } : {}), ...(after ? { id: { $gt: after } } : {}) },
        { orderBy: { id: "asc" }, limit: query.pageSize + 1, disableIdentityMap: true },
      );
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      tenants: page.map((row) => Tenant.restore(toSnapshot(row))),
      nextPageToken: rows.length > query.pageSize && last ? encodePageToken(last.id) : undefined,
    };
  }
}

function toRow(s: TenantSnapshot): Row {
  return {
    id: s.id,
    displayName: s.displayName,
    currency: s.currency,
    defaultLocale: s.defaultLocale,
    status: s.status,
    disabledReason: s.disabledReason ?? null,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version,
  };
}

function toSnapshot(row: Row): TenantSnapshot {
  return {
    id: row.id as TenantId,
    displayName: row.displayName,
    currency: row.currency,
    defaultLocale: row.defaultLocale,
    status: row.status as TenantStatus,
    disabledReason: row.disabledReason ?? undefined,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
  };
}
