import type { RequestContext } from "../kit/request-context.ts";
import { averageRating, NO_STARS, type StarCounts, ratingCount } from "./product-rating.ts";
import { parseId } from "./review-content.ts";
import { compareInOrder, cursorOf } from "./review-order.ts";
import { decodeBoundToken, encodeBoundToken } from "./review-page-token.ts";
import type { ReviewSort } from "./review-repository.ts";
import { loadVisibleReview } from "./review-store.ts";
import { type ReviewView, reviewView } from "./review-view.ts";
import type { ReviewsDeps } from "./reviews-deps.ts";
import { invalidField } from "../kit/domain-error.ts";

export const PRODUCT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export async function getReview(deps: ReviewsDeps, ctx: RequestContext, reviewId: string): Promise<ReviewView> {
  return reviewView(await loadVisibleReview(deps, ctx, parseId(reviewId, "review_id")), ctx);
}

/** A product's APPROVED reviews plus the caller's own, in the order asked; anyone. */
export async function listProductReviews(
  deps: ReviewsDeps,
  ctx: RequestContext,
  input: {
    readonly productId: string;
    readonly sort: ReviewSort;
    readonly rating: number;
    readonly pageSize: number;
    readonly pageToken: string;
  },
): Promise<{ reviews: ReviewView[]; nextPageToken: string | undefined }> {
  const productId = parseId(input.productId, "product_id");
  if (!Number.isInteger(input.rating) || input.rating < 0 || input.rating > 5) throw invalidField("rating", "must be 0 to 5");
  const limit = Math.min(input.pageSize || PRODUCT_PAGE_SIZE, MAX_PAGE_SIZE);
  const viewerId = ctx.caller?.userId;
  const binding = ["product", ctx.tenantId, productId, input.sort, input.rating, viewerId ?? ""];
  const key = decodeBoundToken(binding, input.pageToken || undefined);
  const after = key && { sortValue: key[0] as number, createdAtMs: key[1] as number, id: key[2] as string };
  const found = await deps.reviews.listForProduct({
    tenantId: ctx.tenantId,
    productId,
    viewerId,
    sort: input.sort,
    rating: input.rating || undefined,
    after,
    limit: limit + 1,
  });
  found.sort((a, b) => compareInOrder(cursorOf(a.snapshot(), input.sort), cursorOf(b.snapshot(), input.sort), input.sort));
  const page = found.slice(0, limit);
  const last = page.at(-1);
  const cursor = last && cursorOf(last.snapshot(), input.sort);
  return {
    reviews: page.map((r) => reviewView(r, ctx)),
    nextPageToken:
      found.length > limit && cursor ? encodeBoundToken(binding, [cursor.sortValue, cursor.createdAtMs, cursor.id]) : undefined,
  };
}

export interface RatingView {
  readonly productId: string;
  readonly count: number;
  readonly average: number;
  readonly stars: StarCounts;
}

/** The stored aggregate of a product's approved reviews; a product never rated has zeros. Anyone. */
export async function getProductRating(deps: ReviewsDeps, ctx: RequestContext, productId: string): Promise<RatingView> {
  const id = parseId(productId, "product_id");
  const stars = (await deps.ratings.find(ctx.tenantId, id))?.snapshot().stars ?? NO_STARS;
  return { productId: id, count: ratingCount(stars), average: averageRating(stars), stars };
}
