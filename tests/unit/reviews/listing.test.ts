import { describe, expect, it } from "vitest";
import { setHelpfulVote } from "../../../core/reviews/helpful-votes.ts";
import { moderateReview } from "../../../core/reviews/review-moderation.ts";
import { listProductReviews } from "../../../core/reviews/review-queries.ts";
import type { ReviewSort } from "../../../core/reviews/review-repository.ts";
import { admin, alice, anonymous, ctxOf, expectDomainError, reviewsFixture } from "./support/reviews-fixture.ts";

async function fiveApproved() {
  const f = reviewsFixture();
  const ids: string[] = [];
  for (const [i, rating] of [3, 5, 1, 4, 2].entries()) {
    const review = await f.submitted(ctxOf("acme", `user-${i}`), { rating });
    await moderateReview(f.deps, admin, { reviewId: review.id, decision: "approve", reason: "" });
    ids.push(review.id);
  }
  return { f, ids };
}

async function allPages(f: ReturnType<typeof reviewsFixture>, sort: ReviewSort, viewer = anonymous) {
  const seen: { id: string; rating: number; helpful: number }[] = [];
  let pageToken = "";
  do {
    const page = await listProductReviews(f.deps, viewer, { productId: "p-1", sort, rating: 0, pageSize: 2, pageToken });
    seen.push(...page.reviews.map((r) => ({ id: r.id, rating: r.rating, helpful: r.helpfulCount })));
    pageToken = page.nextPageToken ?? "";
  } while (pageToken);
  return seen;
}

describe("listing a product's reviews", () => {
  it("when paging newest first by two, then every approved review comes once, newest first", async () => {
    const { f, ids } = await fiveApproved();
    expect((await allPages(f, "newest")).map((r) => r.id)).toEqual([...ids].reverse());
  });

  it("when sorting by rating, then highest and lowest orders hold across pages", async () => {
    const { f } = await fiveApproved();
    expect((await allPages(f, "rating_highest")).map((r) => r.rating)).toEqual([5, 4, 3, 2, 1]);
    expect((await allPages(f, "rating_lowest")).map((r) => r.rating)).toEqual([1, 2, 3, 4, 5]);
  });

  it("when sorting by most helpful, then the most voted come first", async () => {
    const { f, ids } = await fiveApproved();
    const [first, , third] = ids as [string, string, string];
    await setHelpfulVote(f.deps, ctxOf("acme", "voter-1"), { reviewId: third, helpful: true });
    await setHelpfulVote(f.deps, ctxOf("acme", "voter-2"), { reviewId: third, helpful: true });
    await setHelpfulVote(f.deps, ctxOf("acme", "voter-1"), { reviewId: first, helpful: true });
    expect((await allPages(f, "most_helpful")).slice(0, 2).map((r) => r.id)).toEqual([third, first]);
  });

  it("when the caller has a pending review, then they see it and others do not", async () => {
    const f = reviewsFixture();
    const own = await f.submitted(alice);
    expect((await allPages(f, "newest", alice)).map((r) => r.id)).toEqual([own.id]);
    expect(await allPages(f, "newest")).toEqual([]);
  });

  it("when filtering by stars, then only those come", async () => {
    const { f } = await fiveApproved();
    const page = await listProductReviews(f.deps, anonymous, {
      productId: "p-1",
      sort: "newest",
      rating: 4,
      pageSize: 0,
      pageToken: "",
    });
    expect(page.reviews.map((r) => r.rating)).toEqual([4]);
  });

  it("when a page token is replayed under another tenant or sort, then INVALID_ARGUMENT on page.page_token", async () => {
    const { f } = await fiveApproved();
    const page = await listProductReviews(f.deps, anonymous, {
      productId: "p-1",
      sort: "newest",
      rating: 0,
      pageSize: 2,
      pageToken: "",
    });
    const token = page.nextPageToken ?? "";
    for (const [ctx, sort] of [
      [ctxOf("globex"), "newest"],
      [anonymous, "rating_highest"],
    ] as const) {
      await expectDomainError(
        listProductReviews(f.deps, ctx, { productId: "p-1", sort, rating: 0, pageSize: 2, pageToken: token }),
        {
          kind: "invalid",
          field: "page.page_token",
        },
      );
    }
  });
});
