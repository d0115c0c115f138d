import { requireCaller } from "../kit/caller-guards.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { parseId } from "./review-content.ts";
import { changeReview } from "./review-store.ts";
import { type ReviewView, reviewView } from "./review-view.ts";
import type { ReviewsDeps } from "./reviews-deps.ts";

/** Records or withdraws the caller's helpful vote (one per user; never on their own review). Idempotent. */
export async function setHelpfulVote(
  deps: ReviewsDeps,
  ctx: RequestContext,
  input: { readonly reviewId: string; readonly helpful: boolean },
): Promise<ReviewView> {
  const caller = requireCaller(ctx);
  const reviewId = parseId(input.reviewId, "review_id");
  const review = await changeReview(deps, ctx, reviewId, (r) => r.setHelpful(caller.userId, input.helpful));
  return reviewView(review, ctx);
}
