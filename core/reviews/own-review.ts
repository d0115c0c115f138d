import { requireCaller, requireSelfOrRole } from "../kit/caller-guards.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import { parseId } from "./review-content.ts";
import { reviewErrors } from "./review-errors.ts";
import type { ReviewEdit } from "./review.ts";
import { changeReview } from "./review-store.ts";
import { type ReviewView, reviewView } from "./review-view.ts";
import type { ReviewsDeps } from "./reviews-deps.ts";

/**
 * The author edits their review (unset fields unchanged); it goes back to PENDING unless the
 * tenant auto-approves. Someone else's review is NOT_FOUND; a stale version is ABORTED.
 */
export async function updateReview(
  deps: ReviewsDeps,
  ctx: RequestContext,
  input: { readonly reviewId: string; readonly expectedVersion: number } & ReviewEdit,
): Promise<ReviewView> {
  const caller = requireCaller(ctx);
  const reviewId = parseId(input.reviewId, "review_id");
  const settings = await deps.settings.get(ctx.tenantId);
  const review = await changeReview(deps, ctx, reviewId, (r) => {
    if (!r.isAuthor(caller.userId)) throw reviewErrors.notFound(reviewId);
    r.edit(input, input.expectedVersion, settings.autoApprove, deps.clock.now());
  });
  return reviewView(review, ctx);
}

/** Its author or a tenant admin deletes a review; NOT_FOUND when it is not there (also on a replay). */
export async function deleteReview(deps: ReviewsDeps, ctx: RequestContext, reviewId: string): Promise<void> {
  requireCaller(ctx);
  const id = parseId(reviewId, "review_id");
  await changeReview(deps, ctx, id, (r) => {
    requireSelfOrRole(ctx, r.authorId, Roles.tenantAdmin);
    r.delete(deps.clock.now());
  });
}
