import type { RequestContext } from "../kit/request-context.ts";
import type { CatalogDeps } from "./catalog-deps.ts";
import type { RatingSummary } from "./rating-summary.ts";

/**
 * Keeps a product's copy of its rating aggregate (from reviews' ProductRatingChanged): stored
 * only when its version is higher than the stored one, so duplicates and reordering change
 * nothing. The cached copy is dropped when it changed. Unknown products are ignored.
 */
export async function applyProductRating(
  deps: CatalogDeps,
  ctx: RequestContext,
  productId: string,
  rating: RatingSummary,
): Promise<boolean> {
  const applied = await deps.products.applyRating(ctx.tenantId, productId, rating);
  if (applied) await deps.cache.invalidateProduct(ctx.tenantId, productId);
  return applied;
}
