import { requireCaller, requireRole } from "../kit/caller-guards.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import { parseId } from "./review-content.ts";
import { comparePending, pendingKeyOf } from "./review-order.ts";
import { decodeBoundToken, encodeBoundToken } from "./review-page-token.ts";
import { changeReview } from "./review-store.ts";
import { type ReviewView, reviewView } from "./review-view.ts";
import type { ReviewsDeps } from "./reviews-deps.ts";

export const PENDING_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** A tenant admin approves or rejects (a reason required); the same decision again changes nothing. */
export async function moderateReview(
  deps: ReviewsDeps,
  ctx: RequestContext,
  input: { readonly reviewId: string; readonly decision: "approve" | "reject"; readonly reason: string },
): Promise<ReviewView> {
  requireRole(ctx, Roles.tenantAdmin);
  const reviewId = parseId(input.reviewId, "review_id");
  const review = await changeReview(deps, ctx, reviewId, (r) => r.moderate(input.decision, input.reason, deps.clock.now()));
  return reviewView(review, ctx);
}

/** Any signed-in user flags a review they can see, once; at the tenant's threshold it goes back to PENDING. */
export async function flagReview(deps: ReviewsDeps, ctx: RequestContext, reviewId: string): Promise<void> {
  const caller = requireCaller(ctx);
  const id = parseId(reviewId, "review_id");
  const settings = await deps.settings.get(ctx.tenantId);
  await changeReview(deps, ctx, id, (r) => r.flag(caller.userId, settings.flagThreshold, deps.clock.now()));
}

/** The moderation queue: PENDING reviews, most flagged first, then oldest. Tenant admin. */
export async function listPendingReviews(
  deps: ReviewsDeps,
  ctx: RequestContext,
  input: { readonly productId: string; readonly pageSize: number; readonly pageToken: string },
): Promise<{ reviews: ReviewView[]; nextPageToken: string | undefined }> {
  requireRole(ctx, Roles.tenantAdmin);
  const productId = input.productId ? parseId(input.productId, "product_id") : undefined;
  const limit = Math.min(input.pageSize || PENDING_PAGE_SIZE, MAX_PAGE_SIZE);
  const binding = ["pending", ctx.tenantId, productId ?? ""];
  const key = decodeBoundToken(binding, input.pageToken || undefined);
  const after = key && { flagCount: key[0] as number, createdAtMs: key[1] as number, id: key[2] as string };
  const found = await deps.reviews.listPending({ tenantId: ctx.tenantId, productId, after, limit: limit + 1 });
  found.sort((a, b) => comparePending(pendingKeyOf(a.snapshot()), pendingKeyOf(b.snapshot())));
  const page = found.slice(0, limit);
  const last = page.at(-1);
  const lastKey = last && pendingKeyOf(last.snapshot());
  return {
    reviews: page.map((r) => reviewView(r, ctx)),
    nextPageToken:
      found.length > limit && lastKey
        ? encodeBoundToken(binding, [lastKey.flagCount, lastKey.createdAtMs, lastKey.id])
        : undefined,
  };
}
