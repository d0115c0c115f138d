import type { TenantId } from "../kit/request-context.ts";
import type { ProductSnapshot } from "./product.ts";

/** A cached listing page: the products and the next cursor, as the use case answers them. */
export interface CachedListing {
  readonly products: readonly ProductSnapshot[];
  readonly nextPageToken: string | undefined;
}

/**
 * Cache-aside copies of product reads and hot listings, tenant in every key, with a TTL. Best
 * effort by contract: an adapter never throws (an outage is a miss, a failed write is skipped).
 * `invalidateProduct` drops the product and every cached listing of its tenant; the catalog
 * calls it when a product's own change event is delivered.
 */
export interface ProductCache {
  getProduct(tenantId: TenantId, productId: string): Promise<ProductSnapshot | undefined>;
  putProduct(tenantId: TenantId, product: ProductSnapshot): Promise<void>;
  getListing(tenantId: TenantId, key: string): Promise<CachedListing | undefined>;
  putListing(tenantId: TenantId, key: string, listing: CachedListing): Promise<void>;
  invalidateProduct(tenantId: TenantId, productId: string): Promise<void>;
}
