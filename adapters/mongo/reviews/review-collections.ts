import type { IndexDescription } from "mongodb";
import { outboxIndex } from "../mongo-outbox.ts";

export const REVIEWS = "reviews";
export const RATINGS = "review_ratings";
export const SETTINGS = "review_settings";

/** Collections whose documents carry an outbox: what the relay drains. */
export const REVIEW_OUTBOX_COLLECTIONS = [REVIEWS, RATINGS] as const;

/**
 * Every index starts with tenant_id (every query names the tenant), except the cross-tenant
 * look-ups of the relay (`outbox_since`) and the rating sweeper (`rating_marks`). The unique
 * (tenant_id, product_id, author_id) index is what makes a second review by one author
 * ALREADY_EXISTS, even when two submissions race. No partial, TTL or text index: FerretDB.
 */
export const reviewIndexes: Readonly<Record<string, readonly IndexDescription[]>> = {
  [REVIEWS]: [
    { key: { tenant_id: 1, product_id: 1, author_id: 1 }, name: "one_review_per_author", unique: true },
    { key: { tenant_id: 1, review_id: 1 }, name: "review_id", unique: true },
    { key: { tenant_id: 1, product_id: 1, status: 1, created_at: -1, review_id: -1 }, name: "product_newest" },
    { key: { tenant_id: 1, product_id: 1, status: 1, helpful_count: -1, created_at: -1 }, name: "product_helpful" },
    { key: { tenant_id: 1, product_id: 1, status: 1, rating: -1, created_at: -1 }, name: "product_rating" },
    { key: { tenant_id: 1, status: 1, flag_count: -1, created_at: 1, review_id: 1 }, name: "moderation_queue" },
    // The rating sweeper's look-up across tenants (like the outbox's): marks are few and short-lived.
    { key: { rating_mark_since: 1 }, name: "rating_marks" },
    outboxIndex,
  ],
  [RATINGS]: [{ key: { tenant_id: 1, product_id: 1 }, name: "rating_per_product", unique: true }, outboxIndex],
  [SETTINGS]: [{ key: { tenant_id: 1 }, name: "settings_per_tenant", unique: true }],
};
