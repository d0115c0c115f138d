import type { Collection, Db } from "mongodb";
import { Product, type ProductEvent } from "../../../core/catalog/product.ts";
import type { ListQuery } from "../../../core/catalog/product-query.ts";
import type { ProductPage, ProductRepository } from "../../../core/catalog/product-repository.ts";
import { type RatingSummary, ratingRank } from "../../../core/catalog/rating-summary.ts";
import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import { isDuplicateKey } from "../mongo-database.ts";
import { type DocumentLocks, documentLocks } from "../mongo-insert-lock.ts";
import { outboxFieldsForInsert, outboxUpdate } from "../mongo-outbox.ts";
import {
  contentFields,
  fromDocument,
  PRODUCTS,
  type ProductDocument,
  productDocumentId,
  toDocument,
} from "./product-document.ts";
import { afterCursor, productFilterQuery, sortField, sortSpec } from "./product-filter-query.ts";
import { skuClaims } from "./mongo-sku-claims.ts";

const LIVE = { status: { $ne: "deleted" as const } };

/** Products in a MongoDB-compatible store (FerretDB here): state and outbox in one document write. */
export class MongoProductRepository implements ProductRepository {
  readonly #products: Collection<ProductDocument>;
  readonly #mapper: EventMapper<ProductEvent>;
  readonly #skus: ReturnType<typeof skuClaims>;
  readonly #locks: DocumentLocks;

  constructor(db: Db, mapper: EventMapper<ProductEvent>) {
    this.#products = db.collection<ProductDocument>(PRODUCTS);
    this.#mapper = mapper;
    this.#locks = documentLocks(db);
    this.#skus = skuClaims(db, async (tenantId, id) => (await this.find(tenantId, id)) !== undefined);
  }

  async find(tenantId: TenantId, id: string) {
    const doc = await this.#products.findOne({ _id: productDocumentId(tenantId, id), tenant_id: tenantId, ...LIVE });
    return doc ? Product.restore(fromDocument(doc)) : undefined;
  }

  async findByCreationKey(tenantId: TenantId, key: string) {
    const doc = await this.#products.findOne({ tenant_id: tenantId, creation_key: key, ...LIVE });
    return doc ? Product.restore(fromDocument(doc)) : undefined;
  }

  async add(product: Product, ctx: RequestContext) {
    const s = product.snapshot();
    const taken = await this.#skus.claim(
      s.tenantId,
      s.id,
      s.variants.map((v) => v.sku),
    );
    const events = product.pullEvents().map((e) => this.#mapper(e, ctx));
    try {
      await this.#products.insertOne({ ...toDocument(s), ...outboxFieldsForInsert(events, s.updatedAt) } as ProductDocument);
    } catch (error) {
      await this.#skus.release(s.tenantId, s.id, taken);
      if (isDuplicateKey(error)) throw alreadyExists("CATALOG.CREATION_KEY_TAKEN", "idempotency key already used");
      throw error;
    }
  }

  /**
   * Version check and write under the document lock (FerretDB's `updateOne({version})` is no
   * compare-and-set: concurrent writers all "match"). Inside it, only the SKUs the stored product
   * lacks are claimed and only the dropped ones released, so a writer never frees a claim another
   * writer of the product relies on.
   */
  async update(product: Product, ctx: RequestContext) {
    const s = product.snapshot();
    const _id = productDocumentId(s.tenantId, s.id);
    await this.#locks.withDocument(PRODUCTS, _id, async () => {
      const before = await this.#products.findOne(
        { _id, tenant_id: s.tenantId, ...LIVE },
        { projection: { version: 1, variants: 1 } },
      );
      if (!before || before.version !== product.loadedVersion) throw stale(s.id);
      const held = new Set(before.variants.map((v) => v.sku));
      const skus = new Set(s.variants.map((v) => v.sku));
      const taken = await this.#skus.claim(
        s.tenantId,
        s.id,
        [...skus].filter((sku) => !held.has(sku)),
      );
      const events = product.pullEvents().map((e) => this.#mapper(e, ctx));
      try {
        await this.#products.updateOne(
          { _id, tenant_id: s.tenantId, version: product.loadedVersion, ...LIVE },
          { $set: contentFields(s), ...outboxUpdate(events, s.updatedAt) },
        );
      } catch (error) {
        await this.#skus.release(s.tenantId, s.id, taken);
        throw error;
      }
      await this.#skus.release(
        s.tenantId,
        s.id,
        [...held].filter((sku) => !skus.has(sku)),
      );
    });
  }

  async remove(product: Product, ctx: RequestContext) {
    const s = product.snapshot();
    const events = product.pullEvents().map((e) => this.#mapper(e, ctx));
    const _id = productDocumentId(s.tenantId, s.id);
    const result = await this.#locks.withDocument(PRODUCTS, _id, () =>
      this.#products.updateOne(
        { _id, tenant_id: s.tenantId, version: product.loadedVersion, ...LIVE },
        { $set: contentFields(s, true), ...outboxUpdate(events, s.updatedAt) },
      ),
    );
    if (result.matchedCount === 0) throw stale(s.id);
    await this.#skus.release(
      s.tenantId,
      s.id,
      s.variants.map((v) => v.sku),
    );
  }

  async list(tenantId: TenantId, query: ListQuery): Promise<ProductPage> {
    const filter = productFilterQuery(tenantId, query.filter);
    const where = query.after ? { $and: [filter, afterCursor(query.sort, query.after)] } : filter;
    const docs = await this.#products
      .find(where)
      .sort(sortSpec(query.sort))
      .limit(query.pageSize + 1)
      .toArray();
    const page = docs.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      products: page.map(fromDocument),
      next: docs.length > query.pageSize && last ? { value: last[sortField(query.sort)], id: last.product_id } : undefined,
    };
  }

  /** Under the document lock: FerretDB writes the whole document back, so an unlocked write could erase a concurrent update's. */
  async applyRating(tenantId: TenantId, productId: string, rating: RatingSummary) {
    const _id = productDocumentId(tenantId, productId);
    const result = await this.#locks.withDocument(PRODUCTS, _id, () =>
      this.#products.updateOne(
        { _id, tenant_id: tenantId, "rating.version": { $lt: rating.version }, ...LIVE },
        { $set: { rating: { ...rating, histogram: [...rating.histogram] }, rating_rank: ratingRank(rating) } },
      ),
    );
    return result.modifiedCount === 1;
  }

  /**
   * Through the SKU claims (`_id = <tenant>/<sku>`): which products hold them, then those
   * products by `_id`; both lookups are by primary key. A claim left by a crash that points at a
   * product no longer holding the SKU finds nothing.
   */
  async findBySkus(tenantId: TenantId, skus: readonly string[]) {
    if (skus.length === 0) return [];
    const productIds = await this.#skus.owners(tenantId, skus);
    if (productIds.length === 0) return [];
    const wanted = new Set(skus);
    const docs = await this.#products
      .find({ _id: { $in: productIds.map((id) => productDocumentId(tenantId, id)) }, tenant_id: tenantId, ...LIVE })
      .toArray();
    return docs.map(fromDocument).filter((p) => p.variants.some((v) => wanted.has(v.sku)));
  }

  async countInCategory(tenantId: TenantId, categoryId: string) {
    return this.#products.countDocuments({ tenant_id: tenantId, category_id: categoryId, ...LIVE }, { limit: 1 });
  }
}

const stale = (id: string) => conflict("CATALOG.VERSION_STALE", `product ${id} changed since it was read`);
