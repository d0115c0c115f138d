import type { TenantId } from "../kit/request-context.ts";
import { attributePairs, priceRange, type ProductSnapshot, productInStock, productTerms } from "./product.ts";
import type { ProductStatus } from "./product-content.ts";
import { ratingRank } from "./rating-summary.ts";

/**
 * What the search index keeps of a product under each of its terms: enough to filter, rank,
 * sort and count facets without reading the product itself.
 */
export interface SearchEntry {
  readonly productId: string;
  readonly brand: string;
  readonly categoryId: string;
  readonly minPriceMinor: number;
  readonly maxPriceMinor: number;
  readonly attributePairs: readonly string[];
  readonly inStock: boolean;
  readonly status: ProductStatus;
  readonly createdMs: number;
  readonly ratingRank: number;
  /** The product state the entry was written from. */
  readonly stamp: IndexStamp;
}

/**
 * Orders the index's writes for one product: the product's version, then its rating version
 * (both only grow, and a later read of the product never shows a lower one). A gone product
 * gets GONE, which nothing overrides.
 */
export interface IndexStamp {
  readonly version: number;
  readonly ratingVersion: number;
}

export const GONE: IndexStamp = { version: Number.MAX_SAFE_INTEGER, ratingVersion: Number.MAX_SAFE_INTEGER };

export function compareStamps(a: IndexStamp, b: IndexStamp): number {
  return a.version - b.version || a.ratingVersion - b.ratingVersion;
}

/** A product as the index wants it: its terms and its entry; `entry` undefined = gone from search. */
export interface IndexedProduct {
  readonly productId: string;
  readonly terms: readonly string[];
  /** Its `stamp` is the product's `stamp` below. */
  readonly entry: SearchEntry | undefined;
  /** The product as indexed: a search page is served from it (undefined = gone). */
  readonly snapshot: ProductSnapshot | undefined;
  readonly stamp: IndexStamp;
}

/**
 * The inverted index behind SearchProducts (eventually consistent with the products: a projector
 * feeds it from the product's own events). Every key starts with the tenant.
 */
export interface SearchIndex {
  /** The live entries under each term, in the order of `terms`. */
  postings(tenantId: TenantId, terms: readonly string[]): Promise<SearchEntry[][]>;
  /**
   * The products as indexed, in the order of `wanted` (unknown ones left out): for a product
   * named with the stamp of its entry, the copy of exactly that state may answer (a store may keep
   * it near); otherwise, or without a stamp, the copy last indexed.
   */
  products(tenantId: TenantId, wanted: readonly ProductRef[]): Promise<ProductSnapshot[]>;
  /**
   * Makes the product's entries be `product.entry` under exactly `product.terms` (under none
   * when gone). Safe to repeat and to run concurrently for the same product: a write never
   * replaces what a newer stamp wrote.
   */
  index(tenantId: TenantId, product: IndexedProduct): Promise<void>;
  /** Replaces the tenant's whole index with these products (rebuild and bulk load). */
  replaceAll(tenantId: TenantId, products: readonly IndexedProduct[]): Promise<void>;
}

/** A product a search page shows; `stamp` = the state its entry was written from, when known (a SearchEntry is one). */
export interface ProductRef {
  readonly productId: string;
  readonly stamp?: IndexStamp;
}

export function stampOf(product: ProductSnapshot): IndexStamp {
  return { version: product.version, ratingVersion: product.rating.version };
}

/** What the index stores for a product (undefined = gone: not found or deleted). */
export function indexedProduct(productId: string, product: ProductSnapshot | undefined): IndexedProduct {
  if (!product) return { productId, terms: [], entry: undefined, snapshot: undefined, stamp: GONE };
  const range = priceRange(product);
  const stamp = stampOf(product);
  return {
    productId,
    terms: productTerms(product),
    stamp,
    snapshot: product,
    entry: {
      productId,
      brand: product.brand,
      categoryId: product.categoryId,
      minPriceMinor: range.min.amountMinor,
      maxPriceMinor: range.max.amountMinor,
      attributePairs: attributePairs(product),
      inStock: productInStock(product),
      status: product.status,
      createdMs: product.createdAt.getTime(),
      ratingRank: ratingRank(product.rating),
      stamp,
    },
  };
}
