import {
  compareStamps,
  type IndexedProduct,
  type IndexStamp,
  type ProductRef,
  type SearchEntry,
  type SearchIndex,
} from "../../../core/catalog/search-index.ts";
import type { ProductSnapshot } from "../../../core/catalog/product.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";

/**
 * The search index in memory (embedded mode, tests): the semantics of the posting documents
 * (adapters/mongo/catalog/mongo-search-index.ts), keyed `<tenant>\u001f<term>`, without their
 * locks: each call runs to completion before another touches the maps.
 */
export class MemorySearchIndex implements SearchIndex {
  /** Per term: the entries by product id (each carries the stamp it was written with). */
  readonly #postings = new Map<string, Map<string, SearchEntry>>();
  /** Per product: the terms it has entries under and the stamp they were written with (kept when gone). */
  readonly #products = new Map<
    string,
    { readonly terms: readonly string[]; readonly stamp: IndexStamp; readonly snapshot: ProductSnapshot | undefined }
  >();

  async postings(tenantId: TenantId, terms: readonly string[]): Promise<SearchEntry[][]> {
    return terms.map((term) => {
      const postings = this.#postings.get(key(tenantId, term));
      return postings ? [...postings.values()] : [];
    });
  }

  /** Always the copy last indexed (the stamps asked for do not matter here). */
  async products(tenantId: TenantId, wanted: readonly ProductRef[]): Promise<ProductSnapshot[]> {
    return wanted.flatMap(({ productId }) => {
      const snapshot = this.#products.get(key(tenantId, productId))?.snapshot;
      return snapshot ? [snapshot] : [];
    });
  }

  async index(tenantId: TenantId, product: IndexedProduct): Promise<void> {
    const productKey = key(tenantId, product.productId);
    const state = this.#products.get(productKey);
    if (!state && !product.entry) return;
    if (state && compareStamps(state.stamp, product.stamp) > 0) return;
    const terms = new Set(product.terms);
    for (const term of new Set([...(state?.terms ?? []), ...terms])) {
      const termKey = key(tenantId, term);
      const postings = this.#postings.get(termKey) ?? new Map<string, SearchEntry>();
      if (terms.has(term) && product.entry) postings.set(product.productId, product.entry);
      else postings.delete(product.productId);
      if (postings.size === 0) this.#postings.delete(termKey);
      else this.#postings.set(termKey, postings);
    }
    this.#products.set(productKey, { terms: [...terms], stamp: product.stamp, snapshot: product.snapshot });
  }

  async replaceAll(tenantId: TenantId, products: readonly IndexedProduct[]): Promise<void> {
    const prefix = `${tenantId}\u001f`;
    for (const k of [...this.#postings.keys()]) if (k.startsWith(prefix)) this.#postings.delete(k);
    for (const k of [...this.#products.keys()]) if (k.startsWith(prefix)) this.#products.delete(k);
    for (const product of products) await this.index(tenantId, product);
  }
}

const key = (tenantId: TenantId, term: string) => `${tenantId}\u001f${term}`;
