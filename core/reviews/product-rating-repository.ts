import type { RequestContext, TenantId } from "../kit/request-context.ts";
import type { ProductRating } from "./product-rating.ts";

/**
 * Where rating aggregates live, one per (tenant, product). `save` stores the aggregate with its
 * pending ProductRatingChanged atomically, only if the stored version is still the one loaded
 * (0: none stored); otherwise it fails ABORTED and the caller recounts.
 */
export interface ProductRatingRepository {
  find(tenantId: TenantId, productId: string): Promise<ProductRating | undefined>;
  save(rating: ProductRating, ctx: RequestContext): Promise<void>;
}
