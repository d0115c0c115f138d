import { conflict } from "../kit/domain-error.ts";
import type { TenantId } from "../kit/request-context.ts";
import type { ProductStatus } from "./product-content.ts";
import type { ProductRepository } from "./product-repository.ts";
import { compareStamps, type IndexedProduct, indexedProduct, type SearchIndex } from "./search-index.ts";

const MAX_ROUNDS = 5;
const ALL_STATUSES: readonly ProductStatus[] = ["draft", "active", "archived"];

export interface SearchProjectionDeps {
  readonly products: ProductRepository;
  readonly searchIndex: SearchIndex;
}

/**
 * Brings one product's search entries up to its current state (the projector calls it for each
 * product event and each rating change): reads the product, indexes it, then reads it again
 * and repeats while it moved on meanwhile, so a slow run never leaves an older state behind.
 * Idempotent; replays and reordered deliveries converge to the current product.
 */
export async function projectProductToSearch(deps: SearchProjectionDeps, tenantId: TenantId, productId: string): Promise<void> {
  let indexed = indexedProduct(productId, (await deps.products.find(tenantId, productId))?.snapshot());
  for (let round = 0; round < MAX_ROUNDS; round++) {
    await deps.searchIndex.index(tenantId, indexed);
    if (!indexed.entry) return; // gone for good: a deleted product never comes back
    const now = indexedProduct(productId, (await deps.products.find(tenantId, productId))?.snapshot());
    if (compareStamps(now.stamp, indexed.stamp) === 0) return;
    indexed = now;
  }
  throw conflict("CATALOG.SEARCH_INDEX_BUSY", `product ${productId} kept changing while it was indexed`);
}

/** Rebuilds the tenant's search index from its products (every status), read page by page. */
export async function rebuildSearchIndex(deps: SearchProjectionDeps, tenantId: TenantId): Promise<number> {
  const products: IndexedProduct[] = [];
  let after: { value: number; id: string } | undefined;
  for (;;) {
    const page = await deps.products.list(tenantId, {
      filter: { statuses: ALL_STATUSES },
      sort: "newest",
      pageSize: 500,
      after,
    });
    for (const p of page.products) products.push(indexedProduct(p.id, p));
    if (!page.next) break;
    after = page.next;
  }
  await deps.searchIndex.replaceAll(tenantId, products);
  return products.length;
}
