import type { MessageInitShape } from "@bufbuild/protobuf";
import type { EventMapper } from "../../core/kit/event-mapper.ts";
import { averageRating, type ProductRatingSnapshot, ratingCount } from "../../core/reviews/product-rating.ts";
import type { ReviewStatus } from "../../core/reviews/review.ts";
import type { ProductRatingChanged, ReviewEvent } from "../../core/reviews/review-events.ts";
import { encodeEvent } from "../../adapters/protobuf/integration-event-encoding.ts";
import type { RatingSummarySchema } from "../../gen/shop/common/v1/rating_pb.ts";
import {
  ProductRatingChangedSchema,
  ReviewAddedSchema,
  ReviewDeletedSchema,
  ReviewModeratedSchema,
  ReviewState,
  ReviewUpdatedSchema,
} from "../../gen/shop/events/v1/review_events_pb.ts";
import { REVIEW_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { REVIEW_EVENTS_TOPIC };

/** Every review event is keyed by its product: one product's events (and its rating's) stay in order. */
export const reviewEventMapper: EventMapper<ReviewEvent> = (event, ctx) => {
  const r = event.review;
  const address = { topic: REVIEW_EVENTS_TOPIC, key: r.productId, occurredAt: r.updatedAt };
  const scope = { tenantId: r.tenantId, correlationId: ctx.correlationId };
  const facts = { reviewId: r.id, productId: r.productId, userId: r.authorId, rating: r.rating };
  switch (event.type) {
    case "ReviewAdded":
      return encodeEvent(ReviewAddedSchema, { ...facts, state: stateOf(r.status) }, address, scope);
    case "ReviewUpdated":
      return encodeEvent(
        ReviewUpdatedSchema,
        {
          ...facts,
          state: stateOf(r.status),
          previousRating: event.previousRating,
          previousState: stateOf(event.previousStatus),
        },
        address,
        scope,
      );
    case "ReviewDeleted":
      return encodeEvent(ReviewDeletedSchema, { ...facts, state: stateOf(event.previousStatus) }, address, scope);
    case "ReviewModerated":
      return encodeEvent(
        ReviewModeratedSchema,
        { ...facts, state: stateOf(r.status), previousState: stateOf(event.previousStatus), reason: event.reason },
        address,
        scope,
      );
  }
};

export const productRatingEventMapper: EventMapper<ProductRatingChanged> = (event, ctx) => {
  const rating = event.rating;
  return encodeEvent(
    ProductRatingChangedSchema,
    { productId: rating.productId, rating: ratingSummary(rating), ratingVersion: BigInt(rating.version) },
    { topic: REVIEW_EVENTS_TOPIC, key: rating.productId, occurredAt: rating.updatedAt },
    { tenantId: rating.tenantId, correlationId: ctx.correlationId },
  );
};

export function ratingSummary(rating: Pick<ProductRatingSnapshot, "stars">): MessageInitShape<typeof RatingSummarySchema> {
  const [one, two, three, four, five] = rating.stars;
  return {
    ratingCount: BigInt(ratingCount(rating.stars)),
    averageRating: averageRating(rating.stars),
    oneStarCount: BigInt(one),
    twoStarCount: BigInt(two),
    threeStarCount: BigInt(three),
    fourStarCount: BigInt(four),
    fiveStarCount: BigInt(five),
  };
}

function stateOf(status: ReviewStatus): ReviewState {
  switch (status) {
    case "pending":
      return ReviewState.PENDING;
    case "approved":
      return ReviewState.APPROVED;
    case "rejected":
      return ReviewState.REJECTED;
    case "deleted":
      return ReviewState.UNSPECIFIED;
  }
}
