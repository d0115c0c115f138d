import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { decodePageToken, encodePageToken } from "../../../core/kit/page-token.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { Tenant, type TenantEvent, type TenantSnapshot } from "../../../core/auth/tenant.ts";
import type { TenantRepository } from "../../../core/auth/tenant-repository.ts";

/** Tenants in a Map, events in a list: for unit tests; passes the same contract as the SQL one. */
export class MemoryTenantRepository implements TenantRepository {
  readonly #rows = new Map<TenantId, TenantSnapshot>();
  readonly #toEvent: EventMapper<TenantEvent>;
  readonly outbox: IntegrationEvent[] = [];

  constructor(toEvent: EventMapper<TenantEvent>) {
    this.#toEvent = toEvent;
  }

  async find(id: TenantId): Promise<Tenant | undefined> {
    const row = this.#rows.get(id);
    return row && Tenant.restore(row);
  }

  async add(tenant: Tenant, ctx: Parameters<EventMapper<TenantEvent>>[1]): Promise<void> {
    if (this.#rows.has(tenant.id)) throw alreadyExists("TENANT.ALREADY_EXISTS", `tenant ${tenant.id} already exists`);
    this.#rows.set(tenant.id, tenant.snapshot());
    this.outbox.push(...tenant.pullEvents().map((event) => this.#toEvent(event, ctx)));
  }

  async update(tenant: Tenant, ctx: Parameters<EventMapper<TenantEvent>>[1]): Promise<void> {
    if (!tenant.hasChanges) return;
    if (this.#rows.get(tenant.id)?.version !== tenant.loadedVersion) {
      throw conflict("TENANT.CONCURRENT_UPDATE", `tenant ${tenant.id} was changed meanwhile`);
    }
    this.#rows.set(tenant.id, tenant.snapshot());
    this.outbox.push(...tenant.pullEvents().map((event) => this.#toEvent(event, ctx)));
  }

  async list(query: Parameters<TenantRepository["list"]>[0]) {
    const after = decodePageToken(query.pageToken);
    const matching = [...this.#rows.values()]
      .filter((row) => (!query.status || row.status === query.status) && (!after || row.id > after))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const page = matching.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      tenants: page.map((row) => Tenant.restore(row)),
      nextPageToken: matching.length > query.pageSize && last ? encodePageToken(last.id) : undefined,
    };
  }
}
