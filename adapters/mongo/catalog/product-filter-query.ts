import type { Filter } from "mongodb";
import { type ListCursor, type ProductFilter, type ProductSort, SORT_KEYS } from "../../../core/catalog/product-query.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import type { ProductDocument } from "./product-document.ts";

const SORT_FIELDS = { createdMs: "created_ms", minPrice: "min_price", maxPrice: "max_price", ratingRank: "rating_rank" } as const;

/**
 * A Mongo filter from the core's typed filter. Every key is ours; every caller value is a
 * string or number used as a value ($in, $gte), never as an operator or a pattern.
 */
export function productFilterQuery(tenantId: TenantId, filter: ProductFilter): Filter<ProductDocument> {
  const query: Record<string, unknown> = { tenant_id: tenantId, status: { $in: [...filter.statuses] } };
  if (filter.categoryIds) query.category_id = { $in: [...filter.categoryIds] };
  if (filter.brands) query.brand_key = { $in: filter.brands.map(String) };
  if (filter.minPriceMinor !== undefined) query.max_price = { $gte: Number(filter.minPriceMinor) };
  if (filter.maxPriceMinor !== undefined) query.min_price = { $lte: Number(filter.maxPriceMinor) };
  if (filter.inStockOnly) query.in_stock = true;
  const attributes = (filter.attributes ?? []).map((a) => ({
    attr_pairs: { $in: a.values.map((v) => `${a.name}=${String(v)}`) },
  }));
  if (attributes.length > 0) query.$and = attributes;
  return query as Filter<ProductDocument>;
}

export function sortSpec(sort: ProductSort): Record<string, 1 | -1> {
  const { key, descending } = SORT_KEYS[sort];
  return { [SORT_FIELDS[key]]: descending ? -1 : 1, product_id: 1 };
}

export function sortField(sort: ProductSort): (typeof SORT_FIELDS)[keyof typeof SORT_FIELDS] {
  return SORT_FIELDS[SORT_KEYS[sort].key];
}

/** Keyset: items strictly after the cursor in the sort order. */
export function afterCursor(sort: ProductSort, cursor: ListCursor): Record<string, unknown> {
  const field = sortField(sort);
  const beyond = SORT_KEYS[sort].descending ? { $lt: cursor.value } : { $gt: cursor.value };
  return { $or: [{ [field]: beyond }, { [field]: cursor.value, product_id: { $gt: cursor.id } }] };
}
