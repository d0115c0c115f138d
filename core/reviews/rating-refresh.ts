import { isDomainError } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { ProductRating, type ProductRatingSnapshot } from "./product-rating.ts";
import type { ReviewsDeps } from "./reviews-deps.ts";

const ATTEMPTS = 10;

/**
 * Recounts a product's rating from its approved reviews and stores it when it changed, with
 * its version one higher and a ProductRatingChanged in the same write.
 *
 * Correct under concurrent changes: each attempt reads the stored aggregate (its version)
 * *before* counting, and stores only if that version is still there. A count that started
 * before another review change and would store a stale aggregate finds the version moved, and
 * counts again; so the last change's own refresh (or a later one) always stores a count taken
 * after every change, and versions grow with each stored change.
 */
export async function refreshProductRating(
  deps: Pick<ReviewsDeps, "reviews" | "ratings" | "clock">,
  ctx: RequestContext,
  productId: string,
): Promise<ProductRatingSnapshot> {
  for (let attempt = 1; ; attempt++) {
    const now = deps.clock.now();
    const rating = (await deps.ratings.find(ctx.tenantId, productId)) ?? ProductRating.empty(ctx.tenantId, productId, now);
    rating.recount(await deps.reviews.countApprovedStars(ctx.tenantId, productId), now);
    if (!rating.hasChanges) return rating.snapshot();
    try {
      await deps.ratings.save(rating, ctx);
      return rating.snapshot();
    } catch (error) {
      if (attempt < ATTEMPTS && isDomainError(error) && error.kind === "conflict") continue;
      throw error;
    }
  }
}
