import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { setHelpfulVote } from "../../core/reviews/helpful-votes.ts";
import { deleteReview, updateReview } from "../../core/reviews/own-review.ts";
import { flagReview, listPendingReviews, moderateReview } from "../../core/reviews/review-moderation.ts";
import { getProductRating, getReview, listProductReviews } from "../../core/reviews/review-queries.ts";
import type { ReviewSort } from "../../core/reviews/review-repository.ts";
import { getReviewSettings, updateReviewSettings } from "../../core/reviews/review-settings-admin.ts";
import type { ReviewSettings } from "../../core/reviews/review-settings.ts";
import type { ReviewView } from "../../core/reviews/review-view.ts";
import type { ReviewsDeps } from "../../core/reviews/reviews-deps.ts";
import { submitReview } from "../../core/reviews/submit-review.ts";
import { requestContext } from "../../adapters/rpc/call-context.ts";
import {
  ModerationDecision,
  type ReviewSchema,
  type ReviewService,
  ReviewSortOrder,
  ReviewStatus,
} from "../../gen/shop/reviews/v1/reviews_pb.ts";
import { ratingSummary } from "./reviews-event-mapper.ts";

/** ReviewService: proto in, core use case, proto out. Who may do what is checked in the core. */
export function reviewsHandlers(deps: ReviewsDeps): ServiceImpl<typeof ReviewService> {
  return {
    async submitReview(request, ctx) {
      const review = await submitReview(deps, requestContext(ctx), {
        productId: request.productId,
        rating: request.rating,
        title: request.title,
        body: request.body,
        idempotencyKey: request.idempotencyKey,
      });
      return { review: toProto(review) };
    },
    async updateReview(request, ctx) {
      const review = await updateReview(deps, requestContext(ctx), {
        reviewId: request.reviewId,
        expectedVersion: Number(request.expectedVersion),
        rating: request.rating,
        title: request.title,
        body: request.body,
      });
      return { review: toProto(review) };
    },
    async deleteReview(request, ctx) {
      await deleteReview(deps, requestContext(ctx), request.reviewId);
      return {};
    },
    async getReview(request, ctx) {
      return { review: toProto(await getReview(deps, requestContext(ctx), request.reviewId)) };
    },
    async listProductReviews(request, ctx) {
      const page = await listProductReviews(deps, requestContext(ctx), {
        productId: request.productId,
        sort: sortOf(request.sortOrder),
        rating: request.rating,
        pageSize: request.page?.pageSize ?? 0,
        pageToken: request.page?.pageToken ?? "",
      });
      return { reviews: page.reviews.map(toProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
    async getProductRating(request, ctx) {
      const rating = await getProductRating(deps, requestContext(ctx), request.productId);
      return { productId: rating.productId, rating: ratingSummary(rating) };
    },
    async setHelpfulVote(request, ctx) {
      const review = await setHelpfulVote(deps, requestContext(ctx), { reviewId: request.reviewId, helpful: request.helpful });
      return { review: toProto(review) };
    },
    async flagReview(request, ctx) {
      await flagReview(deps, requestContext(ctx), request.reviewId);
      return {};
    },
    async moderateReview(request, ctx) {
      const review = await moderateReview(deps, requestContext(ctx), {
        reviewId: request.reviewId,
        decision: request.decision === ModerationDecision.REJECT ? "reject" : "approve",
        reason: request.reason,
      });
      return { review: toProto(review) };
    },
    async listPendingReviews(request, ctx) {
      const page = await listPendingReviews(deps, requestContext(ctx), {
        productId: request.productId,
        pageSize: request.page?.pageSize ?? 0,
        pageToken: request.page?.pageToken ?? "",
      });
      return { reviews: page.reviews.map(toProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
    async getReviewSettings(_request, ctx) {
      return { settings: settingsToProto(await getReviewSettings(deps, requestContext(ctx))) };
    },
    async updateReviewSettings(request, ctx) {
      const settings = await updateReviewSettings(deps, requestContext(ctx), {
        autoApprove: request.autoApprove,
        flagThreshold: request.flagThreshold,
      });
      return { settings: settingsToProto(settings) };
    },
  };
}

function toProto(review: ReviewView): MessageInitShape<typeof ReviewSchema> {
  return {
    reviewId: review.id,
    productId: review.productId,
    userId: review.authorId,
    authorDisplayName: review.authorDisplayName,
    rating: review.rating,
    title: review.title,
    body: review.body,
    status: STATUS[review.status],
    moderationReason: review.moderationReason,
    helpfulCount: review.helpfulCount,
    flagCount: review.flagCount,
    votedHelpfulByCaller: review.votedHelpfulByCaller,
    version: BigInt(review.version),
    createTime: timestampFromDate(review.createdAt),
    updateTime: timestampFromDate(review.updatedAt),
  };
}

const STATUS = { pending: ReviewStatus.PENDING, approved: ReviewStatus.APPROVED, rejected: ReviewStatus.REJECTED } as const;

function settingsToProto(settings: ReviewSettings) {
  return { autoApprove: settings.autoApprove, flagThreshold: settings.flagThreshold };
}

function sortOf(order: ReviewSortOrder): ReviewSort {
  switch (order) {
    case ReviewSortOrder.MOST_HELPFUL:
      return "most_helpful";
    case ReviewSortOrder.RATING_HIGHEST:
      return "rating_highest";
    case ReviewSortOrder.RATING_LOWEST:
      return "rating_lowest";
    default:
      return "newest";
  }
}
