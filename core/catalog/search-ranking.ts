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
  /** The page's entries, in order. */
  readonly page: readonly SearchEntry[];
  /** The page's product ids, in order. */
  readonly productIds: readonly string[];
  /** Every match that passes the filter. */
  readonly total: number;
  readonly facets: FacetCount[];
}

/**
 * Ranks the posting lists of a query's terms: a product matches when it is under at least one
 * term and passes the filter; relevance = how many terms it is under, then product id
 * ascending (a stable order for offset pages). Totals and facet counts cover every match; only
 * the matches up to the page's end are put in order (the rest is counted, not sorted).
 */
export function rankPostings(postings: readonly (readonly SearchEntry[])[], request: RankRequest): Ranked {
  const matches = new Map<string, Match>();
  const rejected = new Set<string>();
  for (const entries of postings) {
    for (const entry of entries) {
      const seen = matches.get(entry.productId);
      if (seen) seen.score++;
      else if (!rejected.has(entry.productId)) {
        if (passes(entry, request.filter)) matches.set(entry.productId, { entry, score: 1, key: 0 });
        else rejected.add(entry.productId);
      }
    }
  }
  const all = [...matches.values()];
  const keyOf = sortKeyFor(request.sort);
  for (const m of all) m.key = keyOf(m);
  const end = Math.min(all.length, request.offset + request.pageSize);
  const page = firstInOrder(all, end)
    .slice(request.offset, end)
    .map((m) => m.entry);
  return {
    page,
    productIds: page.map((e) => e.productId),
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

/** `key` orders ascending, then product id ascending. */
type Match = { readonly entry: SearchEntry; score: number; key: number };

function before(a: Match, b: Match): number {
  return a.key - b.key || (a.entry.productId < b.entry.productId ? -1 : a.entry.productId > b.entry.productId ? 1 : 0);
}

/** Relevance = more matched terms first; a named sort = its value, negated when descending. */
function sortKeyFor(sort: ProductSort | undefined): (m: Match) => number {
  if (!sort) return (m) => -m.score;
  const { key, descending } = SORT_KEYS[sort];
  const sign = descending ? -1 : 1;
  if (key === "createdMs") return (m) => sign * m.entry.createdMs;
  if (key === "minPrice") return (m) => sign * m.entry.minPriceMinor;
  if (key === "maxPrice") return (m) => sign * m.entry.maxPriceMinor;
  return (m) => sign * m.entry.ratingRank;
}

/** The first `count` matches in order: a full sort for deep pages, else one pass keeping the best (a page of a broad search). */
function firstInOrder(all: Match[], count: number): Match[] {
  if (count * 8 > all.length || count > 1_000) return all.sort(before).slice(0, count);
  const best: Match[] = [];
  for (const m of all) {
    if (best.length === count && before(m, best[count - 1]!) >= 0) continue;
    let low = 0;
    let high = best.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (before(best[mid]!, m) <= 0) low = mid + 1;
      else high = mid;
    }
    best.splice(low, 0, m);
    if (best.length > count) best.pop();
  }
  return best;
}

function facetCounts(entries: readonly SearchEntry[], names: readonly string[]): FacetCount[] {
  const brands = new Map<string, number>();
  const categories = new Map<string, number>();
  // Entries read from one stored document share their attribute-pair arrays (the store writes
  // each set once), so the pairs are split per distinct array, not per entry.
  const pairSets = new Map<readonly string[], number>();
  for (const e of entries) {
    if (e.brand) add(brands, e.brand, 1);
    add(categories, e.categoryId, 1);
    if (names.length > 0) pairSets.set(e.attributePairs, (pairSets.get(e.attributePairs) ?? 0) + 1);
  }
  const attributes = names.map((name) => {
    const prefix = `${name}=`;
    const counts = new Map<string, number>();
    for (const [pairs, n] of pairSets) {
      // a product counts once per value, however often its pairs repeat it
      const values = new Set(pairs.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)));
      for (const value of values) add(counts, value, n);
    }
    return topValues(name, counts);
  });
  return [topValues("brand", brands), topValues("category_id", categories), ...attributes];
}

function add(counts: Map<string, number>, value: string, n: number): void {
  counts.set(value, (counts.get(value) ?? 0) + n);
}

function topValues(field: string, counts: Map<string, number>): FacetCount {
  const values = [...counts].map(([value, count]) => ({ value, count }));
  values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return { field, values: values.slice(0, FACET_LIMIT) };
}
