import type { TenantId } from "../../../core/kit/request-context.ts";
import type { Stars } from "../../../core/reviews/review-content.ts";
import type { ReviewSnapshot, ReviewStatus } from "../../../core/reviews/review.ts";

/** A review as stored (snake_case fields; the outbox fields come on top). */
export interface ReviewDocument {
  _id: string;
  tenant_id: string;
  review_id: string;
  product_id: string;
  /** The author; for a tombstone `~deleted~<review id>`, so the author may review the product again. */
  author_id: string;
  deleted_author_id?: string;
  author_display_name: string;
  rating: number;
  title: string;
  body: string;
  status: ReviewStatus;
  moderation_reason: string;
  helpful_voters: string[];
  helpful_count: number;
  flaggers: string[];
  flag_count: number;
  submit_key: string;
  submit_fingerprint: string;
  created_at: Date;
  updated_at: Date;
  version: number;
  revision: number;
  /** Set with a write that may move the product's rating (its revision), unset by the recount after it. */
  rating_mark?: number;
  rating_mark_since?: Date;
}

export const reviewDocumentId = (tenantId: string, reviewId: string) => `${tenantId}/${reviewId}`;

/** The document's state fields (never its outbox fields: those change through the kit's operators). */
export function toReviewDocument(s: ReviewSnapshot): ReviewDocument {
  const deleted = s.status === "deleted";
  return {
    _id: reviewDocumentId(s.tenantId, s.id),
    tenant_id: s.tenantId,
    review_id: s.id,
    product_id: s.productId,
    author_id: deleted ? `~deleted~${s.id}` : s.authorId,
    ...(deleted ? { deleted_author_id: s.authorId } : {}),
    author_display_name: s.authorDisplayName,
    rating: s.rating,
    title: s.title,
    body: s.body,
    status: s.status,
    moderation_reason: s.moderationReason,
    helpful_voters: [...s.helpfulVoters],
    helpful_count: s.helpfulVoters.length,
    flaggers: [...s.flaggers],
    flag_count: s.flaggers.length,
    submit_key: s.submitKey,
    submit_fingerprint: s.submitFingerprint,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    version: s.version,
    revision: s.revision,
  };
}

export function fromReviewDocument(d: ReviewDocument): ReviewSnapshot {
  return {
    tenantId: d.tenant_id as TenantId,
    id: d.review_id,
    productId: d.product_id,
    authorId: d.deleted_author_id ?? d.author_id,
    authorDisplayName: d.author_display_name,
    rating: d.rating as Stars,
    title: d.title,
    body: d.body,
    status: d.status,
    moderationReason: d.moderation_reason,
    helpfulVoters: d.helpful_voters,
    flaggers: d.flaggers,
    submitKey: d.submit_key,
    submitFingerprint: d.submit_fingerprint,
    createdAt: d.created_at,
    updatedAt: d.updated_at,
    version: d.version,
    revision: d.revision,
  };
}

/** Only the state fields are read back: a page never carries the pending events. */
export const REVIEW_PROJECTION = {
  outbox_events: 0,
  outbox_rev: 0,
  outbox_since: 0,
  rating_mark: 0,
  rating_mark_since: 0,
} as const;
