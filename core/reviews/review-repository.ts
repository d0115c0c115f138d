import type { RequestContext, TenantId } from "../kit/request-context.ts";
import type { StarCounts } from "./product-rating.ts";
import type { Review } from "./review.ts";

export type ReviewSort = "newest" | "most_helpful" | "rating_highest" | "rating_lowest";

/** Where a page starts: after this review in the query's order. */
export interface ReviewCursor {
  /** The sort key of the last review (creation ms, helpful votes or stars). */
  readonly sortValue: number;
  readonly createdAtMs: number;
  readonly id: string;
}

export interface ProductReviewQuery {
  readonly tenantId: TenantId;
  readonly productId: string;
  /** APPROVED reviews, plus this user's own whatever its status. */
  readonly viewerId: string | undefined;
  readonly sort: ReviewSort;
  /** 1..5, or undefined for all. */
  readonly rating: number | undefined;
  readonly after: ReviewCursor | undefined;
  readonly limit: number;
}

export interface PendingReviewQuery {
  readonly tenantId: TenantId;
  readonly productId: string | undefined;
  /** Most flagged first, then oldest, then id. */
  readonly after: { readonly flagCount: number; readonly createdAtMs: number; readonly id: string } | undefined;
  readonly limit: number;
}

/** How a write is stored. */
export interface ReviewWriteOptions {
  /**
   * The write may move its product's rating: it also leaves a rating mark (this revision, at the
   * change's `updatedAt`) in the same atomic write, so a recount cannot be lost to a crash between the write and the
   * recount; the recount clears it, the rating sweeper recounts for marks left behind.
   */
  readonly marksRating: boolean;
}

/** A stored review write that may have moved its product's rating and whose recount did not finish (yet). */
export interface RatingMark {
  readonly tenantId: TenantId;
  readonly productId: string;
  readonly reviewId: string;
  /** The review's revision written with the mark: clearing needs it still there. */
  readonly revision: number;
  readonly since: Date;
}

/**
 * Where reviews live. Every method is scoped by tenant; a deleted review (tombstone) is never
 * returned. `add` fails ALREADY_EXISTS when the author already reviewed the product (a unique
 * index on tenant, product, author); `update` fails ABORTED when the stored revision moved on.
 * Both store the review's pending events with it, atomically.
 */
export interface ReviewRepository {
  find(tenantId: TenantId, reviewId: string): Promise<Review | undefined>;
  findByAuthor(tenantId: TenantId, productId: string, authorId: string): Promise<Review | undefined>;
  add(review: Review, ctx: RequestContext, options?: ReviewWriteOptions): Promise<void>;
  update(review: Review, ctx: RequestContext, options?: ReviewWriteOptions): Promise<void>;
  /** Up to `limit` reviews in the query's order (sort key, then newest, then id, all descending or as the sort says). */
  listForProduct(query: ProductReviewQuery): Promise<Review[]>;
  listPending(query: PendingReviewQuery): Promise<Review[]>;
  /** Approved reviews of the product per star, counted by the store now. */
  countApprovedStars(tenantId: TenantId, productId: string): Promise<StarCounts>;
  /** Rating marks left before `before`, of any tenant (tombstones included), oldest first, up to `limit`. */
  ratingMarks(before: Date, limit: number): Promise<RatingMark[]>;
  /** Removes the review's rating mark if it is still the one of `revision` (a later marking write keeps its own). */
  clearRatingMark(tenantId: TenantId, reviewId: string, revision: number): Promise<void>;
}
