import { invalidField, notFound, permissionDenied } from "../kit/domain-error.ts";
import { hasRole, type RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import { subtreeIds } from "./category.ts";
import { type CatalogDeps, pageSizeOf } from "./catalog-deps.ts";
import {
  decodeListToken,
  decodeOffsetToken,
  encodeListToken,
  encodeOffsetToken,
  queryFingerprint,
} from "./catalog-page-token.ts";
import type { ProductSnapshot } from "./product.ts";
import type { CachedListing } from "./product-cache.ts";
import { checkFilter, type ProductFilter, type ProductSort, type RawFilter, SORT_KEYS } from "./product-query.ts";
import { searchIndexedProducts } from "./product-search.ts";
import type { FacetCount } from "./search-ranking.ts";
import { queryTerms } from "./search-terms.ts";
import { singleFlight } from "./single-flight.ts";

const productLoads = singleFlight<ProductSnapshot | undefined>();
const listingLoads = singleFlight<CachedListing>();

/**
 * One product, cache-aside: the cache, else the database (one loader per key in this process),
 * then the cache. Anyone sees ACTIVE products; a tenant admin sees every status and reads the
 * database (its own writes show at once).
 */
export async function getProduct(deps: CatalogDeps, ctx: RequestContext, id: string): Promise<ProductSnapshot> {
  const admin = hasRole(ctx, Roles.tenantAdmin);
  const product = admin ? (await deps.products.find(ctx.tenantId, id))?.snapshot() : await cachedProduct(deps, ctx, id);
  if (!product || (!admin && product.status !== "active")) throw notFound("product", id, "CATALOG.PRODUCT_NOT_FOUND");
  return product;
}

function cachedProduct(deps: CatalogDeps, ctx: RequestContext, id: string): Promise<ProductSnapshot | undefined> {
  return productLoads(`${ctx.tenantId}/${id}`, async () => {
    const cached = await deps.cache.getProduct(ctx.tenantId, id);
    if (cached) return cached;
    const stored = (await deps.products.find(ctx.tenantId, id))?.snapshot();
    if (stored) await deps.cache.putProduct(ctx.tenantId, stored);
    return stored;
  });
}

export interface ListRequest {
  readonly filter: RawFilter;
  readonly sort: ProductSort;
  readonly pageSize?: number;
  readonly pageToken?: string;
}

/** A page of products; anonymous listings of ACTIVE products are cached (hot listings). */
export async function listProducts(deps: CatalogDeps, ctx: RequestContext, request: ListRequest): Promise<CachedListing> {
  const filter = await resolveFilter(deps, ctx, request.filter);
  const pageSize = pageSizeOf(request.pageSize);
  const fingerprint = queryFingerprint([ctx.tenantId, "list", filter, request.sort, pageSize]);
  const after = decodeListToken(request.pageToken, fingerprint);
  const load = async (): Promise<CachedListing> => {
    const page = await deps.products.list(ctx.tenantId, { filter, sort: request.sort, pageSize, after });
    return { products: page.products, nextPageToken: page.next && encodeListToken(page.next, fingerprint) };
  };
  const cacheable = filter.statuses.length === 1 && filter.statuses[0] === "active";
  if (!cacheable) return load();
  const key = `${fingerprint}:${request.pageToken ?? ""}`;
  return listingLoads(`${ctx.tenantId}/${key}`, async () => {
    const cached = await deps.cache.getListing(ctx.tenantId, key);
    if (cached) return cached;
    const listing = await load();
    await deps.cache.putListing(ctx.tenantId, key, listing);
    return listing;
  });
}

export interface SearchRequest {
  readonly query: string;
  readonly filter: RawFilter;
  readonly pageSize?: number;
  readonly pageToken?: string;
  readonly facetAttributes: readonly string[];
  /** Undefined = relevance (matched terms, then product id); a named sort orders by its key, then product id. */
  readonly sort?: ProductSort;
}

export interface SearchResult {
  readonly products: readonly ProductSnapshot[];
  readonly total: number;
  /** On the first page only. */
  readonly facets: readonly FacetCount[];
  readonly nextPageToken: string | undefined;
}

/** Word search over the inverted index (eventually consistent), best match first or by a named sort; facets on the first page. */
export async function searchProducts(deps: CatalogDeps, ctx: RequestContext, request: SearchRequest): Promise<SearchResult> {
  const terms = queryTerms(request.query);
  if (terms.length === 0) throw invalidField("query", "must contain a word");
  if (request.sort !== undefined && !Object.hasOwn(SORT_KEYS, request.sort))
    throw invalidField("sort_order", `unknown sort order ${String(request.sort)}`);
  const filter = await resolveFilter(deps, ctx, request.filter);
  const pageSize = pageSizeOf(request.pageSize);
  const fingerprint = queryFingerprint([ctx.tenantId, "search", terms, filter, pageSize, request.sort ?? "relevance"]);
  const offset = decodeOffsetToken(request.pageToken, fingerprint);
  const page = await searchIndexedProducts(deps, ctx.tenantId, {
    terms,
    filter,
    pageSize,
    offset,
    facetAttributes: offset === 0 ? request.facetAttributes : undefined,
    sort: request.sort,
  });
  const next = offset + pageSize;
  return {
    products: page.products,
    total: page.total,
    facets: page.facets,
    nextPageToken: next < page.total ? encodeOffsetToken(next, fingerprint) : undefined,
  };
}

async function resolveFilter(deps: CatalogDeps, ctx: RequestContext, raw: RawFilter): Promise<ProductFilter> {
  const checked = checkFilter(raw);
  if (checked.statuses.some((s) => s !== "active") && !hasRole(ctx, Roles.tenantAdmin))
    throw permissionDenied("statuses other than ACTIVE need a tenant admin");
  if (!raw.categoryId) return checked;
  const categories = await deps.categories.list(ctx.tenantId);
  const categoryIds = subtreeIds(categories, raw.categoryId);
  if (categoryIds.length === 0)
    throw invalidField("filter.category_id", `unknown category ${raw.categoryId}`, "CATALOG.UNKNOWN_CATEGORY");
  return { ...checked, categoryIds };
}
