import { isDomainError } from "../kit/domain-error.ts";
import type { RequestContext, TenantId } from "../kit/request-context.ts";
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

/**
 * Recounts after a marked write (`ReviewWriteOptions.marksRating`) and clears the mark. The
 * recount starts after the write is stored, so it sees it; a crash before the clear leaves the
 * mark for the sweeper, and recounting again is harmless (nothing changes, nothing is stored).
 */
export async function refreshMarkedRating(
  deps: Pick<ReviewsDeps, "reviews" | "ratings" | "clock">,
  ctx: RequestContext,
  review: { readonly productId: string; readonly id: string; readonly revision: number },
): Promise<void> {
  await refreshProductRating(deps, ctx, review.productId);
  await deps.reviews.clearRatingMark(ctx.tenantId, review.id, review.revision);
}

/**
 * The rating sweeper: recounts the products of rating marks older than `before` (writes whose
 * own recount never finished: the process died, or the recount failed) and clears those marks.
 * Each product is recounted once per sweep, under its tenant. Resolves to how many marks it cleared.
 */
export async function recountMarkedRatings(
  deps: Pick<ReviewsDeps, "reviews" | "ratings" | "clock">,
  options: { before: Date; limit: number; correlationId: string; signal?: AbortSignal },
): Promise<number> {
  const marks = await deps.reviews.ratingMarks(options.before, options.limit);
  const recounted = new Set<string>();
  for (const mark of marks) {
    if (options.signal?.aborted) break;
    const ctx = sweepContext(mark.tenantId, options.correlationId, options.signal);
    const product = `${mark.tenantId}/${mark.productId}`;
    if (!recounted.has(product)) {
      await refreshProductRating(deps, ctx, mark.productId);
      recounted.add(product);
    }
    await deps.reviews.clearRatingMark(mark.tenantId, mark.reviewId, mark.revision);
  }
  return marks.length;
}

function sweepContext(tenantId: TenantId, correlationId: string, signal: AbortSignal | undefined): RequestContext {
  return { tenantId, caller: undefined, correlationId, signal: signal ?? new AbortController().signal };
}
