import { invalidField } from "../kit/domain-error.ts";
import { ATTRIBUTE_NAME, type ProductStatus } from "./product-content.ts";

/**
 * What a listing or search asks for, as typed values only: stores build their queries from
 * these fields, never from caller-supplied operators or patterns. Strings are compared exactly
 * (brands case-insensitively), so `{"$where": ...}` or `(a+)+$` is just text that matches nothing.
 */
export interface ProductFilter {
  /** The category and its descendants, resolved by the use case; undefined = any. */
  readonly categoryIds?: readonly string[];
  /** Lower-cased brands; any of them. */
  readonly brands?: readonly string[];
  /** Some variant at or above / at or below, in minor units. */
  readonly minPriceMinor?: number;
  readonly maxPriceMinor?: number;
  /** Each condition: the attribute has one of the values. */
  readonly attributes?: readonly { readonly name: string; readonly values: readonly string[] }[];
  readonly inStockOnly?: boolean;
  readonly statuses: readonly ProductStatus[];
}

export type ProductSort = "newest" | "price_ascending" | "price_descending" | "rating";

/** Where a page starts: after the item with this sort value and id. */
export interface ListCursor {
  readonly value: number;
  readonly id: string;
}

export interface ListQuery {
  readonly filter: ProductFilter;
  readonly sort: ProductSort;
  readonly pageSize: number;
  readonly after?: ListCursor;
}

/** How each sort orders: one numeric key, then product id ascending. */
export const SORT_KEYS: Record<
  ProductSort,
  { readonly key: "createdMs" | "minPrice" | "maxPrice" | "ratingRank"; readonly descending: boolean }
> = {
  newest: { key: "createdMs", descending: true },
  price_ascending: { key: "minPrice", descending: false },
  price_descending: { key: "maxPrice", descending: true },
  rating: { key: "ratingRank", descending: true },
};

export interface RawFilter {
  readonly categoryId?: string;
  readonly brands?: readonly string[];
  readonly minPriceMinor?: number;
  readonly maxPriceMinor?: number;
  readonly attributes?: readonly { readonly name: string; readonly values: readonly string[] }[];
  readonly inStockOnly?: boolean;
  readonly statuses?: readonly ProductStatus[];
}

/** Checks a caller's filter (fields named as in the contract); the category is resolved later. */
export function checkFilter(raw: RawFilter): Omit<ProductFilter, "categoryIds"> {
  if (raw.minPriceMinor !== undefined && (!Number.isSafeInteger(raw.minPriceMinor) || raw.minPriceMinor < 0))
    throw invalidField("filter.min_price", "must not be negative");
  if (raw.maxPriceMinor !== undefined && (!Number.isSafeInteger(raw.maxPriceMinor) || raw.maxPriceMinor < 0))
    throw invalidField("filter.max_price", "must not be negative");
  if ((raw.brands?.length ?? 0) > 20) throw invalidField("filter.brands", "at most 20");
  if ((raw.attributes?.length ?? 0) > 10) throw invalidField("filter.attributes", "at most 10");
  raw.attributes?.forEach((a, i) => {
    if (!ATTRIBUTE_NAME.test(a.name)) throw invalidField(`filter.attributes[${i}].name`, "lower_snake_case, 1..64");
    if (a.values.length === 0 || a.values.length > 20) throw invalidField(`filter.attributes[${i}].values`, "1..20 values");
    a.values.forEach((v, j) => {
      if (v.length === 0 || v.length > 200) throw invalidField(`filter.attributes[${i}].values[${j}]`, "1..200 characters");
    });
  });
  return {
    brands: raw.brands?.length ? raw.brands.map((b) => b.toLowerCase()) : undefined,
    minPriceMinor: raw.minPriceMinor,
    maxPriceMinor: raw.maxPriceMinor,
    attributes: raw.attributes?.length ? raw.attributes : undefined,
    inStockOnly: raw.inStockOnly || undefined,
    statuses: raw.statuses?.length ? raw.statuses : ["active"],
  };
}
