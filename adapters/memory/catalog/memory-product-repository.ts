import { Product, type ProductEvent, type ProductSnapshot } from "../../../core/catalog/product.ts";
import type { ProductRepository } from "../../../core/catalog/product-repository.ts";
import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import { compareFor, isAfter, matchesFilter, sortValue } from "./memory-product-store.ts";

interface Entry {
  snapshot: ProductSnapshot;
  deleted: boolean;
}

/**
 * Products in memory (unit tests and the embedded mode). Same contract as the document store:
 * SKUs unique per tenant, stale versions ABORTED, events kept with the write until drained.
 */
export class MemoryProductRepository implements ProductRepository {
  readonly #entries = new Map<string, Entry>();
  readonly #outbox: IntegrationEvent[] = [];
  readonly #mapper: EventMapper<ProductEvent>;

  constructor(mapper: EventMapper<ProductEvent>) {
    this.#mapper = mapper;
  }

  /** Takes the pending events, oldest first (the embedded relay publishes them). */
  drainEvents(): IntegrationEvent[] {
    return this.#outbox.splice(0);
  }

  /** Puts events back at the front after a failed publish. */
  requeue(events: readonly IntegrationEvent[]): void {
    this.#outbox.unshift(...events);
  }

  /** Stores products as they are, with no checks and no events (benchmarks seed many at once). */
  seed(products: readonly ProductSnapshot[]): void {
    for (const s of products) this.#entries.set(key(s.tenantId, s.id), { snapshot: s, deleted: false });
  }

  async find(tenantId: TenantId, id: string) {
    const entry = this.#entries.get(key(tenantId, id));
    return entry && !entry.deleted ? Product.restore(entry.snapshot) : undefined;
  }

  async findByCreationKey(tenantId: TenantId, creationKey: string) {
    const entry = this.#live(tenantId).find((e) => e.snapshot.creationKey === creationKey);
    return entry ? Product.restore(entry.snapshot) : undefined;
  }

  async add(product: Product, ctx: RequestContext) {
    const s = product.snapshot();
    if (this.#live(s.tenantId).some((e) => e.snapshot.creationKey === s.creationKey))
      throw alreadyExists("CATALOG.CREATION_KEY_TAKEN", "idempotency key already used");
    this.#checkSkus(s);
    this.#entries.set(key(s.tenantId, s.id), { snapshot: s, deleted: false });
    this.#record(product, ctx);
  }

  async update(product: Product, ctx: RequestContext) {
    const s = product.snapshot();
    this.#checkVersion(product);
    this.#checkSkus(s);
    const entry = this.#entries.get(key(s.tenantId, s.id))!;
    this.#entries.set(key(s.tenantId, s.id), { snapshot: { ...s, rating: entry.snapshot.rating }, deleted: false });
    this.#record(product, ctx);
  }

  async remove(product: Product, ctx: RequestContext) {
    const s = product.snapshot();
    this.#checkVersion(product);
    this.#entries.set(key(s.tenantId, s.id), { snapshot: s, deleted: true });
    this.#record(product, ctx);
  }

  async list(tenantId: TenantId, query: Parameters<ProductRepository["list"]>[1]) {
    const sorted = this.#live(tenantId)
      .map((e) => e.snapshot)
      .filter((p) => matchesFilter(p, query.filter) && (!query.after || isAfter(p, query.sort, query.after)))
      .sort(compareFor(query.sort));
    const products = sorted.slice(0, query.pageSize);
    const last = products.at(-1);
    const more = sorted.length > query.pageSize && last;
    return {
      products,
      next: more ? { value: sortValue(last, query.sort), id: last.id } : undefined,
    };
  }

  async applyRating(tenantId: TenantId, productId: string, rating: Parameters<ProductRepository["applyRating"]>[2]) {
    const entry = this.#entries.get(key(tenantId, productId));
    if (!entry || entry.deleted || entry.snapshot.rating.version >= rating.version) return false;
    entry.snapshot = { ...entry.snapshot, rating };
    return true;
  }

  async findBySkus(tenantId: TenantId, skus: readonly string[]) {
    const wanted = new Set(skus);
    return this.#live(tenantId)
      .map((e) => e.snapshot)
      .filter((p) => p.variants.some((v) => wanted.has(v.sku)));
  }

  async countInCategory(tenantId: TenantId, categoryId: string) {
    return this.#live(tenantId).filter((e) => e.snapshot.categoryId === categoryId).length;
  }

  #live(tenantId: TenantId): Entry[] {
    return [...this.#entries.values()].filter((e) => !e.deleted && e.snapshot.tenantId === tenantId);
  }

  #checkVersion(product: Product): void {
    const s = product.snapshot();
    const stored = this.#entries.get(key(s.tenantId, s.id));
    if (!stored || stored.deleted || stored.snapshot.version !== product.loadedVersion)
      throw conflict("CATALOG.VERSION_STALE", `product ${s.id} changed since it was read`);
  }

  #checkSkus(s: ProductSnapshot): void {
    const skus = new Set(s.variants.map((v) => v.sku));
    for (const other of this.#live(s.tenantId)) {
      if (other.snapshot.id === s.id) continue;
      const taken = other.snapshot.variants.find((v) => skus.has(v.sku));
      if (taken) throw alreadyExists("CATALOG.SKU_TAKEN", `SKU ${taken.sku} belongs to another product`);
    }
  }

  #record(product: Product, ctx: RequestContext): void {
    this.#outbox.push(...product.pullEvents().map((e) => this.#mapper(e, ctx)));
  }
}

const key = (tenantId: TenantId, id: string) => `${tenantId}/${id}`;
