import { describe, expect, it } from "vitest";
import type { ProductRating } from "../../../core/reviews/product-rating.ts";
import { recountMarkedRatings, refreshProductRating } from "../../../core/reviews/rating-refresh.ts";
import { moderateReview } from "../../../core/reviews/review-moderation.ts";
import { admin, alice, bob, reviewsFixture } from "./support/reviews-fixture.ts";

describe("recounting a product's rating", () => {
  it("when nothing changed since the last count, then no new version and no event", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice, { rating: 4 });
    await moderateReview(f.deps, admin, { reviewId: review.id, decision: "approve", reason: "" });
    const again = await refreshProductRating(f.deps, admin, "p-1");
    expect(again.version).toBe(1);
    expect(f.ratingEvents()).toHaveLength(1);
  });

  it("when another recount stores first, then the loser counts again and stores the newer truth", async () => {
    const f = reviewsFixture();
    const a = await f.submitted(alice, { rating: 5 });
    const b = await f.submitted(bob, { rating: 1 });
    await moderateReview(f.deps, admin, { reviewId: a.id, decision: "approve", reason: "" });
    // A recount that read version 1 and then lost the race to another one.
    const stale = (await f.deps.ratings.find(admin.tenantId, "p-1")) as ProductRating;
    await moderateReview(f.deps, admin, { reviewId: b.id, decision: "approve", reason: "" });
    stale.recount([0, 0, 0, 0, 0], new Date()); // what it counted before both approvals
    await expect(f.deps.ratings.save(stale, admin)).rejects.toMatchObject({ kind: "conflict" });
    const final = await refreshProductRating(f.deps, admin, "p-1");
    expect(final).toMatchObject({ stars: [1, 0, 0, 0, 1], version: 2 });
  });
});

describe("rating marks: a recount cannot be lost", () => {
  it("when a moderation's recount fails after its write, then the mark stays and the sweep stores the rating", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice, { rating: 2 });
    const save = f.deps.ratings.save.bind(f.deps.ratings);
    f.deps.ratings.save = async () => {
      throw new Error("the process died here");
    };
    await expect(moderateReview(f.deps, admin, { reviewId: review.id, decision: "approve", reason: "" })).rejects.toThrow(
      "the process died here",
    );
    f.deps.ratings.save = save;
    expect(await f.deps.ratings.find(admin.tenantId, "p-1")).toBeUndefined();
    // A young mark is left to its own request; an old enough one is swept.
    expect(await recountMarkedRatings(f.deps, { before: f.clock.now(), limit: 10, correlationId: "sweep" })).toBe(0);
    f.clock.advance(1);
    expect(await recountMarkedRatings(f.deps, { before: f.clock.now(), limit: 10, correlationId: "sweep" })).toBe(1);
    expect((await f.deps.ratings.find(admin.tenantId, "p-1"))?.snapshot()).toMatchObject({ stars: [0, 1, 0, 0, 0], version: 1 });
    expect(f.ratingEvents()).toMatchObject([{ key: "p-1", ratingVersion: 1n }]);
    expect(await f.deps.reviews.ratingMarks(new Date(Date.UTC(2100, 0, 1)), 10)).toEqual([]);
  });

  it("when a recount finishes, then it clears its own mark: nothing is left to sweep", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice, { rating: 2 });
    await moderateReview(f.deps, admin, { reviewId: review.id, decision: "approve", reason: "" });
    await moderateReview(f.deps, admin, { reviewId: review.id, decision: "reject", reason: "off topic" });
    expect(await f.deps.reviews.ratingMarks(new Date(Date.UTC(2100, 0, 1)), 10)).toEqual([]);
    expect(f.ratingEvents().map((e) => e.ratingVersion)).toEqual([1n, 2n]);
  });
});
