import type { RequestContext, TenantId } from "../kit/request-context.ts";
import type { Product, ProductSnapshot } from "./product.ts";
import type { ListCursor, ListQuery } from "./product-query.ts";
import type { RatingSummary } from "./rating-summary.ts";

export interface ProductPage {
  readonly products: readonly ProductSnapshot[];
  /** Where the next page starts; absent on the last page. */
  readonly next: ListCursor | undefined;
}

/**
 * Where a tenant's products live; every method is scoped by tenant. `add`, `update` and
 * `remove` store the product's pending events with its state in one atomic write.
 * `add` fails ALREADY_EXISTS (`CATALOG.SKU_TAKEN`, `CATALOG.CREATION_KEY_TAKEN`);
 * `update` and `remove` fail ABORTED (`CATALOG.VERSION_STALE`) when the stored version moved on,
 * and ALREADY_EXISTS for a SKU another product holds. A removed product is never found again.
 */
export interface ProductRepository {
  find(tenantId: TenantId, id: string): Promise<Product | undefined>;
  findByCreationKey(tenantId: TenantId, key: string): Promise<Product | undefined>;
  add(product: Product, ctx: RequestContext): Promise<void>;
  update(product: Product, ctx: RequestContext): Promise<void>;
  remove(product: Product, ctx: RequestContext): Promise<void>;
  list(tenantId: TenantId, query: ListQuery): Promise<ProductPage>;
  /** Stores `rating` when its version is higher than the stored one; true when it did. */
  applyRating(tenantId: TenantId, productId: string, rating: RatingSummary): Promise<boolean>;
  /** The live products (any status) holding at least one of these SKUs, each once, in no set order. */
  findBySkus(tenantId: TenantId, skus: readonly string[]): Promise<ProductSnapshot[]>;
  /** Whether any product (of any status) is in one of these categories. */
  countInCategory(tenantId: TenantId, categoryId: string): Promise<number>;
}
