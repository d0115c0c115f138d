import type { ProductFilter, ProductSort } from "./product-query.ts";
import { SORT_KEYS } from "./product-query.ts";
import type { SearchEntry } from "./search-index.ts";

export const FACET_LIMIT = 50;

/** Counts per value of one field over a search's matches, most frequent first. */
export interface FacetCount {
  readonly field: string;
  readonly values: readonly { readonly value: string; readonly count: number }[];
}

export interface RankRequest {
  readonly filter: ProductFilter;
  readonly offset: number;
  readonly pageSize: number;
  /** Attribute names to count (brand and category_id are always counted); none = no facets. */
  readonly facetAttributes?: readonly string[];
  readonly facets: boolean;
  /** Undefined = relevance: matched-term count, then product id. */
  readonly sort?: ProductSort;
}

export interface Ranked {
  /** The page's product ids, in order. */
  readonly productIds: readonly string[];
  /** Every match that passes the filter. */
  readonly total: number;
  readonly facets: FacetCount[];
}

/**
 * Ranks the posting lists of a query's terms: a product matches when it is under at least one
 * term and passes the filter; relevance = how many terms it is under, then product id
 * ascending (a stable order for offset pages). Totals and facet counts cover every match.
 */
export function rankPostings(postings: readonly (readonly SearchEntry[])[], request: RankRequest): Ranked {
  const matches = new Map<string, { entry: SearchEntry; score: number }>();
  const rejected = new Set<string>();
  for (const entries of postings) {
    for (const entry of entries) {
      const seen = matches.get(entry.productId);
      if (seen) seen.score++;
      else if (!rejected.has(entry.productId)) {
        if (passes(entry, request.filter)) matches.set(entry.productId, { entry, score: 1 });
        else rejected.add(entry.productId);
      }
    }
  }
  const all = [...matches.values()];
  all.sort(compareFor(request.sort));
  return {
    productIds: all.slice(request.offset, request.offset + request.pageSize).map((m) => m.entry.productId),
    total: all.length,
    facets: request.facets
      ? facetCounts(
          all.map((m) => m.entry),
          request.facetAttributes ?? [],
        )
      : [],
  };
}

export function passes(entry: SearchEntry, filter: ProductFilter): boolean {
  if (!filter.statuses.includes(entry.status)) return false;
  if (filter.categoryIds && !filter.categoryIds.includes(entry.categoryId)) return false;
  if (filter.brands && !filter.brands.includes(entry.brand.toLowerCase())) return false;
  if (filter.minPriceMinor !== undefined && entry.maxPriceMinor < filter.minPriceMinor) return false;
  if (filter.maxPriceMinor !== undefined && entry.minPriceMinor > filter.maxPriceMinor) return false;
  if (filter.inStockOnly && !entry.inStock) return false;
  return (filter.attributes ?? []).every((a) => a.values.some((v) => entry.attributePairs.includes(`${a.name}=${v}`)));
}

type Match = { readonly entry: SearchEntry; readonly score: number };

const byId = (a: Match, b: Match) => (a.entry.productId < b.entry.productId ? -1 : a.entry.productId > b.entry.productId ? 1 : 0);

function compareFor(sort: ProductSort | undefined): (a: Match, b: Match) => number {
  if (!sort) return (a, b) => b.score - a.score || byId(a, b);
  const { key, descending } = SORT_KEYS[sort];
  const value = (m: Match) =>
    key === "createdMs"
      ? m.entry.createdMs
      : key === "minPrice"
        ? m.entry.minPriceMinor
        : key === "maxPrice"
          ? m.entry.maxPriceMinor
          : m.entry.ratingRank;
  return (a, b) => {
    const diff = value(a) - value(b);
    return (descending ? -diff : diff) || byId(a, b);
  };
}

function facetCounts(entries: readonly SearchEntry[], names: readonly string[]): FacetCount[] {
  const count = (field: string, valuesOf: (e: SearchEntry) => Iterable<string>): FacetCount => {
    const counts = new Map<string, number>();
    for (const e of entries) for (const v of valuesOf(e)) counts.set(v, (counts.get(v) ?? 0) + 1);
    const values = [...counts].map(([value, n]) => ({ value, count: n }));
    values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return { field, values: values.slice(0, FACET_LIMIT) };
  };
  return [
    count("brand", (e) => (e.brand ? [e.brand] : [])),
    count("category_id", (e) => [e.categoryId]),
    ...names.map((name) =>
      count(name, (e) => {
        const prefix = `${name}=`;
        return new Set(e.attributePairs.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)));
      }),
    ),
  ];
}
