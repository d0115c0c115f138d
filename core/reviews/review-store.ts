import { isDomainError } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { refreshMarkedRating } from "./rating-refresh.ts";
import type { Review, ReviewStatus } from "./review.ts";
import { reviewErrors } from "./review-errors.ts";
import { canSee } from "./review-view.ts";
import type { ReviewsDeps } from "./reviews-deps.ts";

/** The caller's tenant's review as the caller may see it, or NOT_FOUND (no existence leak). */
export async function loadVisibleReview(
  deps: Pick<ReviewsDeps, "reviews">,
  ctx: RequestContext,
  reviewId: string,
): Promise<Review> {
  const review = await deps.reviews.find(ctx.tenantId, reviewId);
  if (!review || !canSee(review, ctx)) throw reviewErrors.notFound(reviewId);
  return review;
}

const ATTEMPTS = 3;

/**
 * Loads the review, applies `change`, stores it (state and events in one write), retried from a
 * fresh read when another writer of the same review won the race; then, when the change may
 * have moved the product's rating (the review was or is APPROVED), recounts the rating: that
 * write leaves a rating mark with the review, cleared after the recount (the sweeper finishes
 * what a crash interrupted).
 */
export async function changeReview(
  deps: ReviewsDeps,
  ctx: RequestContext,
  reviewId: string,
  change: (review: Review) => void,
): Promise<Review> {
  for (let attempt = 1; ; attempt++) {
    const review = await loadVisibleReview(deps, ctx, reviewId);
    const before: ReviewStatus = review.status;
    const rating = review.snapshot().rating;
    change(review);
    if (!review.hasChanges) return review;
    const after = review.snapshot();
    const marksRating = affectsRating(before, rating, after.status, after.rating);
    try {
      await deps.reviews.update(review, ctx, { marksRating });
    } catch (error) {
      if (attempt < ATTEMPTS && isDomainError(error) && error.code === "REVIEW.CONCURRENT_UPDATE") continue;
      throw error;
    }
    if (marksRating) await refreshMarkedRating(deps, ctx, after);
    return review;
  }
}

export function affectsRating(before: ReviewStatus, beforeRating: number, after: ReviewStatus, afterRating: number): boolean {
  if (before === "approved" && after === "approved") return beforeRating !== afterRating;
  return before === "approved" || after === "approved";
}
