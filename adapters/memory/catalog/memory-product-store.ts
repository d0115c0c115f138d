import { attributePairs, priceRange, type ProductSnapshot, productInStock } from "../../../core/catalog/product.ts";
import { type ListCursor, type ProductFilter, type ProductSort, SORT_KEYS } from "../../../core/catalog/product-query.ts";
import { ratingRank } from "../../../core/catalog/rating-summary.ts";

/** The derived fields the document stores index, computed the same way for the memory store. */
export function sortValue(product: ProductSnapshot, sort: ProductSort): number {
  const key = SORT_KEYS[sort].key;
  if (key === "createdMs") return product.createdAt.getTime();
  if (key === "minPrice") return priceRange(product).min.amountMinor;
  if (key === "maxPrice") return priceRange(product).max.amountMinor;
  return ratingRank(product.rating);
}

export function matchesFilter(product: ProductSnapshot, filter: ProductFilter): boolean {
  if (!filter.statuses.includes(product.status)) return false;
  if (filter.categoryIds && !filter.categoryIds.includes(product.categoryId)) return false;
  if (filter.brands && !filter.brands.includes(product.brand.toLowerCase())) return false;
  const range = priceRange(product);
  if (filter.minPriceMinor !== undefined && range.max.amountMinor < filter.minPriceMinor) return false;
  if (filter.maxPriceMinor !== undefined && range.min.amountMinor > filter.maxPriceMinor) return false;
  if (filter.inStockOnly && !productInStock(product)) return false;
  const pairs = new Set(attributePairs(product));
  return (filter.attributes ?? []).every((a) => a.values.some((v) => pairs.has(`${a.name}=${v}`)));
}

/** Sort order, then product id ascending. */
export function compareFor(sort: ProductSort) {
  const descending = SORT_KEYS[sort].descending;
  return (a: ProductSnapshot, b: ProductSnapshot) => {
    const diff = sortValue(a, sort) - sortValue(b, sort);
    if (diff !== 0) return descending ? -diff : diff;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

export function isAfter(product: ProductSnapshot, sort: ProductSort, cursor: ListCursor): boolean {
  const value = sortValue(product, sort);
  if (value !== cursor.value) return SORT_KEYS[sort].descending ? value < cursor.value : value > cursor.value;
  return product.id > cursor.id;
}
