import type { Collection, Db } from "mongodb";
import { Product, type ProductEvent } from "../../../core/catalog/product.ts";
import type { ListQuery, ProductFilter, SearchQuery } from "../../../core/catalog/product-query.ts";
import type { FacetCount, ProductPage, ProductRepository, SearchPage } from "../../../core/catalog/product-repository.ts";
import { type RatingSummary, ratingRank } from "../../../core/catalog/rating-summary.ts";
import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import { isDuplicateKey } from "../mongo-database.ts";
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

const MAX_COUNTED = 10_000;
const LIVE = { status: { $ne: "deleted" as const } };

/** Products in a MongoDB-compatible store (FerretDB here): state and outbox in one document write. */
export class MongoProductRepository implements ProductRepository {
  readonly #products: Collection<ProductDocument>;
  readonly #mapper: EventMapper<ProductEvent>;
  readonly #skus: ReturnType<typeof skuClaims>;

  constructor(db: Db, mapper: EventMapper<ProductEvent>) {
    this.#products = db.collection<ProductDocument>(PRODUCTS);
    this.#mapper = mapper;
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

  async update(product: Product, ctx: RequestContext) {
    const s = product.snapshot();
    const before = await this.#products.findOne({ _id: productDocumentId(s.tenantId, s.id), tenant_id: s.tenantId, ...LIVE });
    if (!before || before.version !== product.loadedVersion) throw stale(s.id);
    const skus = new Set(s.variants.map((v) => v.sku));
    const taken = await this.#skus.claim(s.tenantId, s.id, [...skus]);
    const events = product.pullEvents().map((e) => this.#mapper(e, ctx));
    const result = await this.#products.updateOne(
      { _id: productDocumentId(s.tenantId, s.id), tenant_id: s.tenantId, version: product.loadedVersion, ...LIVE },
      { $set: contentFields(s), ...outboxUpdate(events, s.updatedAt) },
    );
    if (result.matchedCount === 0) {
      await this.#skus.release(s.tenantId, s.id, taken);
      throw stale(s.id);
    }
    await this.#skus.release(
      s.tenantId,
      s.id,
      before.variants.map((v) => v.sku).filter((sku) => !skus.has(sku)),
    );
  }

  async remove(product: Product, ctx: RequestContext) {
    const s = product.snapshot();
    const events = product.pullEvents().map((e) => this.#mapper(e, ctx));
    const result = await this.#products.updateOne(
      { _id: productDocumentId(s.tenantId, s.id), tenant_id: s.tenantId, version: product.loadedVersion, ...LIVE },
      { $set: contentFields(s, true), ...outboxUpdate(events, s.updatedAt) },
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

  /** Score = how many query terms a product has ($unwind + $group: no $text, no $size on FerretDB). */
  async search(tenantId: TenantId, query: SearchQuery): Promise<SearchPage> {
    const match = productFilterQuery(tenantId, query.filter, query.terms);
    const [ranked, total] = await Promise.all([
      this.#products
        .aggregate<{ _id: string; score: number }>([
          { $match: match },
          { $project: { terms: 1 } },
          { $unwind: "$terms" },
          { $match: { terms: { $in: [...query.terms] } } },
          { $group: { _id: "$_id", score: { $sum: 1 } } },
          { $sort: { score: -1, _id: 1 } },
          { $skip: query.offset },
          { $limit: query.pageSize },
        ])
        .toArray(),
      this.#products.countDocuments(match, { limit: MAX_COUNTED }),
    ]);
    const ids = ranked.map((r) => r._id);
    const docs = ids.length === 0 ? [] : await this.#products.find({ _id: { $in: ids }, tenant_id: tenantId }).toArray();
    const byId = new Map(docs.map((d) => [d._id, d]));
    return { products: ids.flatMap((id) => (byId.has(id) ? [fromDocument(byId.get(id)!)] : [])), total };
  }

  /** Counts with $match/$group/$unwind (no $facet on FerretDB): one small pipeline per field. */
  async facets(
    tenantId: TenantId,
    filter: ProductFilter,
    terms: readonly string[],
    names: readonly string[],
  ): Promise<FacetCount[]> {
    const match = productFilterQuery(tenantId, filter, terms);
    const top = [{ $sort: { count: -1, _id: 1 } }, { $limit: 50 }];
    const [brands, categories, attributes] = await Promise.all([
      this.#products
        .aggregate<{ _id: string; count: number }>([
          { $match: { ...match, brand: { $ne: "" } } },
          { $group: { _id: "$brand", count: { $sum: 1 } } },
          ...top,
        ])
        .toArray(),
      this.#products
        .aggregate<{ _id: string; count: number }>([
          { $match: match },
          { $group: { _id: "$category_id", count: { $sum: 1 } } },
          ...top,
        ])
        .toArray(),
      names.length === 0
        ? Promise.resolve([])
        : this.#products
            .aggregate<{ _id: string; count: number }>([
              { $match: match },
              { $project: { attr_pairs: 1 } },
              { $unwind: "$attr_pairs" },
              { $group: { _id: "$attr_pairs", count: { $sum: 1 } } },
            ])
            .toArray(),
    ]);
    const values = (rows: { _id: string; count: number }[]) => rows.map((r) => ({ value: r._id, count: r.count }));
    return [
      { field: "brand", values: values(brands) },
      { field: "category_id", values: values(categories) },
      ...names.map((name) => {
        const prefix = `${name}=`;
        const rows = attributes
          .filter((r) => r._id.startsWith(prefix))
          .map((r) => ({ value: r._id.slice(prefix.length), count: r.count }));
        rows.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
        return { field: name, values: rows.slice(0, 50) };
      }),
    ];
  }

  async applyRating(tenantId: TenantId, productId: string, rating: RatingSummary) {
    const result = await this.#products.updateOne(
      { _id: productDocumentId(tenantId, productId), tenant_id: tenantId, "rating.version": { $lt: rating.version }, ...LIVE },
      { $set: { rating: { ...rating, histogram: [...rating.histogram] }, rating_rank: ratingRank(rating) } },
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
