import { hasRole, type RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import type { Review, ReviewStatus } from "./review.ts";

/** What the RPCs answer about a review, as the caller may see it. */
export interface ReviewView {
  readonly id: string;
  readonly productId: string;
  readonly authorId: string;
  readonly authorDisplayName: string;
  readonly rating: number;
  readonly title: string;
  readonly body: string;
  readonly status: Exclude<ReviewStatus, "deleted">;
  readonly moderationReason: string;
  readonly helpfulCount: number;
  /** Tenant admins only; 0 for everyone else. */
  readonly flagCount: number;
  readonly votedHelpfulByCaller: boolean;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** APPROVED reviews to anyone; any status to the author and tenant admins; tombstones to no one. */
export function canSee(review: Review, ctx: RequestContext): boolean {
  if (review.status === "deleted") return false;
  return review.status === "approved" || review.isAuthor(ctx.caller?.userId) || hasRole(ctx, Roles.tenantAdmin);
}

export function reviewView(review: Review, ctx: RequestContext): ReviewView {
  const s = review.snapshot();
  const caller = ctx.caller?.userId;
  return {
    id: s.id,
    productId: s.productId,
    authorId: s.authorId,
    authorDisplayName: s.authorDisplayName,
    rating: s.rating,
    title: s.title,
    body: s.body,
    status: s.status === "deleted" ? "rejected" : s.status,
    moderationReason: s.moderationReason,
    helpfulCount: s.helpfulVoters.length,
    flagCount: hasRole(ctx, Roles.tenantAdmin) ? s.flaggers.length : 0,
    votedHelpfulByCaller: caller !== undefined && s.helpfulVoters.includes(caller),
    version: s.version,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
