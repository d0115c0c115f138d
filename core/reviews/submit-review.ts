import { requireCaller } from "../kit/caller-guards.ts";
import { invalidField, isDomainError } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { refreshMarkedRating } from "./rating-refresh.ts";
import { Review } from "./review.ts";
import { fingerprint, parseBody, parseId, parseStars, parseTitle } from "./review-content.ts";
import { reviewErrors } from "./review-errors.ts";
import { type ReviewView, reviewView } from "./review-view.ts";
import type { ReviewsDeps } from "./reviews-deps.ts";

export interface SubmitReviewInput {
  readonly productId: string;
  readonly rating: number;
  readonly title: string;
  readonly body: string;
  readonly idempotencyKey: string;
}

/**
 * The caller's review of a product: PENDING, or APPROVED when the tenant auto-approves (then the
 * product's rating is recounted). The author is the caller, never a field. One review per
 * (tenant, product, author): ALREADY_EXISTS for a second one. A retry with the same
 * idempotency key answers the review as it is now and changes nothing; the same key with another
 * request is INVALID_ARGUMENT.
 */
export async function submitReview(deps: ReviewsDeps, ctx: RequestContext, input: SubmitReviewInput): Promise<ReviewView> {
  const caller = requireCaller(ctx);
  const productId = parseId(input.productId, "product_id");
  const content = { rating: parseStars(input.rating), title: parseTitle(input.title), body: parseBody(input.body) };
  if (input.idempotencyKey.length < 8 || input.idempotencyKey.length > 128)
    throw invalidField("idempotency_key", "8 to 128 characters");
  const print = fingerprint([productId, content.rating, content.title, content.body]);

  const replay = async () => {
    const existing = await deps.reviews.findByAuthor(ctx.tenantId, productId, caller.userId);
    if (!existing) return undefined;
    const first = existing.snapshot();
    if (first.submitKey !== input.idempotencyKey) throw reviewErrors.alreadyReviewed(productId);
    if (first.submitFingerprint !== print) throw reviewErrors.idempotencyKeyReused();
    return reviewView(existing, ctx);
  };
  const answered = await replay();
  if (answered) return answered;

  if (!(await deps.products.exists(productId, ctx))) throw reviewErrors.productNotFound(productId);
  const settings = await deps.settings.get(ctx.tenantId);
  const review = Review.submit(
    {
      tenantId: ctx.tenantId,
      id: deps.newId(),
      productId,
      authorId: caller.userId,
      authorDisplayName: "",
      ...content,
      submitKey: input.idempotencyKey,
      submitFingerprint: print,
    },
    settings.autoApprove,
    deps.clock.now(),
  );
  try {
    await deps.reviews.add(review, ctx, { marksRating: review.status === "approved" });
  } catch (error) {
    // A concurrent twin of this very request won the unique index: answer what it stored.
    if (isDomainError(error) && error.kind === "already_exists") {
      const twin = await replay();
      if (twin) return twin;
    }
    throw error;
  }
  if (review.status === "approved") await refreshMarkedRating(deps, ctx, review.snapshot());
  return reviewView(review, ctx);
}
