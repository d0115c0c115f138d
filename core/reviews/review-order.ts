import type { ReviewSnapshot } from "./review.ts";
import type { ReviewCursor, ReviewSort } from "./review-repository.ts";

/**
 * The orders of a product's reviews, the one definition adapters follow: the sort key
 * (descending, except rating_lowest), then newest first, then review id descending.
 */
export function sortValueOf(review: ReviewSnapshot, sort: ReviewSort): number {
  switch (sort) {
    case "newest":
      return review.createdAt.getTime();
    case "most_helpful":
      return review.helpfulVoters.length;
    case "rating_highest":
    case "rating_lowest":
      return review.rating;
  }
}

export function isAscending(sort: ReviewSort): boolean {
  return sort === "rating_lowest";
}

export function cursorOf(review: ReviewSnapshot, sort: ReviewSort): ReviewCursor {
  return { sortValue: sortValueOf(review, sort), createdAtMs: review.createdAt.getTime(), id: review.id };
}

/** Negative when `a` comes before `b` in the order `sort`. */
export function compareInOrder(a: ReviewCursor, b: ReviewCursor, sort: ReviewSort): number {
  if (a.sortValue !== b.sortValue) return isAscending(sort) ? a.sortValue - b.sortValue : b.sortValue - a.sortValue;
  if (a.createdAtMs !== b.createdAtMs) return b.createdAtMs - a.createdAtMs;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export interface PendingKey {
  readonly flagCount: number;
  readonly createdAtMs: number;
  readonly id: string;
}

export function pendingKeyOf(review: ReviewSnapshot): PendingKey {
  return { flagCount: review.flaggers.length, createdAtMs: review.createdAt.getTime(), id: review.id };
}

/** The moderation queue's order: most flagged first, then oldest, then id ascending. */
export function comparePending(a: PendingKey, b: PendingKey): number {
  if (a.flagCount !== b.flagCount) return b.flagCount - a.flagCount;
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs - b.createdAtMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
