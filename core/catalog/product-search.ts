import type { TenantId } from "../kit/request-context.ts";
import type { CatalogDeps } from "./catalog-deps.ts";
import type { ProductSnapshot } from "./product.ts";
import type { ProductFilter, ProductSort } from "./product-query.ts";
import { type FacetCount, rankPostings } from "./search-ranking.ts";

export interface IndexedSearch {
  readonly terms: readonly string[];
  readonly filter: ProductFilter;
  readonly pageSize: number;
  readonly offset: number;
  /** Facets are counted when this is set (the first page). */
  readonly facetAttributes: readonly string[] | undefined;
  /** Undefined = relevance. */
  readonly sort?: ProductSort;
}

/**
 * Search over the inverted index: the posting list of each term is read by key, ranked,
 * filtered and counted here, then the page's products are read from the index too, named with
 * their entries' stamps (the product store is not touched, since on FerretDB 1.24 every lookup
 * there scans the products table). Eventually consistent: the index follows the product events.
 */
export async function searchIndexedProducts(
  deps: CatalogDeps,
  tenantId: TenantId,
  search: IndexedSearch,
): Promise<{ products: ProductSnapshot[]; total: number; facets: FacetCount[] }> {
  const postings = await deps.searchIndex.postings(tenantId, search.terms);
  const ranked = rankPostings(postings, {
    filter: search.filter,
    offset: search.offset,
    pageSize: search.pageSize,
    facets: search.facetAttributes !== undefined,
    facetAttributes: search.facetAttributes,
    sort: search.sort,
  });
  const products = (await deps.searchIndex.products(tenantId, ranked.page)).filter((p) =>
    search.filter.statuses.includes(p.status),
  );
  return { products, total: ranked.total, facets: ranked.facets };
}
