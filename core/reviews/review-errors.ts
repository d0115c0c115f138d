import { alreadyExists, conflict, failedPrecondition, invalidField, notFound } from "../kit/domain-error.ts";

/** The reviews context's expected failures, with stable codes. */
export const reviewErrors = {
  notFound: (reviewId: string) => notFound("review", reviewId, "REVIEW.NOT_FOUND"),
  productNotFound: (productId: string) => notFound("product", productId, "REVIEW.PRODUCT_NOT_FOUND"),
  alreadyReviewed: (productId: string) =>
    alreadyExists("REVIEW.ALREADY_EXISTS", `the caller already reviewed product ${productId}`),
  concurrentUpdate: (reviewId: string) => conflict("REVIEW.CONCURRENT_UPDATE", `review ${reviewId} was changed meanwhile`),
  staleVersion: (reviewId: string) => conflict("REVIEW.VERSION_STALE", `review ${reviewId} has a newer version`),
  ownReviewVote: () => failedPrecondition("REVIEW.OWN_REVIEW_VOTE", "an author cannot vote for their own review"),
  idempotencyKeyReused: () =>
    invalidField("idempotency_key", "was already used for a different request", "REVIEW.IDEMPOTENCY_KEY_REUSED"),
};
