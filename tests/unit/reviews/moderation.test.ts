import { describe, expect, it } from "vitest";
import { setHelpfulVote } from "../../../core/reviews/helpful-votes.ts";
import { deleteReview, updateReview } from "../../../core/reviews/own-review.ts";
import { flagReview, listPendingReviews, moderateReview } from "../../../core/reviews/review-moderation.ts";
import { getProductRating, getReview } from "../../../core/reviews/review-queries.ts";
import { getReviewSettings, updateReviewSettings } from "../../../core/reviews/review-settings-admin.ts";
import { admin, alice, bob, carol, ctxOf, expectDomainError, reviewsFixture } from "./support/reviews-fixture.ts";

describe("moderation and the rating", () => {
  it("when an admin approves, then the review is public and the rating counts it with version 1", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice, { rating: 5 });
    const approved = await moderateReview(f.deps, admin, { reviewId: review.id, decision: "approve", reason: "" });
    expect(approved.status).toBe("approved");
    expect((await getReview(f.deps, bob, review.id)).id).toBe(review.id);
    expect(await getProductRating(f.deps, bob, "p-1")).toMatchObject({ count: 1, average: 5, stars: [0, 0, 0, 0, 1] });
    expect(f.eventTypes()).toEqual(["ReviewAdded", "ReviewModerated", "ProductRatingChanged"]);
  });

  it("when the same decision comes again, then nothing changes and no event is written", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice);
    await moderateReview(f.deps, admin, { reviewId: review.id, decision: "approve", reason: "" });
    await moderateReview(f.deps, admin, { reviewId: review.id, decision: "approve", reason: "" });
    expect(f.eventTypes()).toEqual(["ReviewAdded", "ReviewModerated", "ProductRatingChanged"]);
  });

  it("when an admin rejects without a reason, then INVALID_ARGUMENT on reason", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice);
    await expectDomainError(moderateReview(f.deps, admin, { reviewId: review.id, decision: "reject", reason: " " }), {
      kind: "invalid",
      field: "reason",
    });
  });

  it("when an approved review is rejected, then the rating drops it and its version grows", async () => {
    const f = reviewsFixture();
    const a = await f.submitted(alice, { rating: 5 });
    const b = await f.submitted(bob, { rating: 1 });
    await moderateReview(f.deps, admin, { reviewId: a.id, decision: "approve", reason: "" });
    await moderateReview(f.deps, admin, { reviewId: b.id, decision: "approve", reason: "" });
    await moderateReview(f.deps, admin, { reviewId: a.id, decision: "reject", reason: "advertising" });
    expect(await getProductRating(f.deps, carol, "p-1")).toMatchObject({ count: 1, average: 1 });
    expect(f.ratingEvents().map((e) => e.ratingVersion)).toEqual([1n, 2n, 3n]);
    expect((await getReview(f.deps, alice, a.id)).moderationReason).toBe("advertising");
  });

  it("when a customer moderates, then PERMISSION_DENIED", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice);
    await expectDomainError(moderateReview(f.deps, bob, { reviewId: review.id, decision: "approve", reason: "" }), {
      kind: "permission_denied",
    });
    await expectDomainError(getReviewSettings(f.deps, bob), { kind: "permission_denied" });
    await expectDomainError(listPendingReviews(f.deps, bob, { productId: "", pageSize: 0, pageToken: "" }), {
      kind: "permission_denied",
    });
  });

  it("when flags reach the threshold, then an approved review goes back to pending and leaves the rating", async () => {
    const f = reviewsFixture();
    await updateReviewSettings(f.deps, admin, { flagThreshold: 2 });
    const review = await f.submitted(alice, { rating: 3 });
    await moderateReview(f.deps, admin, { reviewId: review.id, decision: "approve", reason: "" });
    await flagReview(f.deps, bob, review.id);
    await flagReview(f.deps, bob, review.id); // one flag per user
    expect((await getReview(f.deps, admin, review.id)).status).toBe("approved");
    await flagReview(f.deps, carol, review.id);
    expect((await getReview(f.deps, admin, review.id)).status).toBe("pending");
    expect((await getProductRating(f.deps, bob, "p-1")).count).toBe(0);
    const queue = await listPendingReviews(f.deps, admin, { productId: "", pageSize: 0, pageToken: "" });
    expect(queue.reviews.map((r) => [r.id, r.flagCount])).toEqual([[review.id, 2]]);
  });

  it("when the author edits an approved review, then it is pending again, the version grows and a stale version is ABORTED", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice, { rating: 5 });
    await moderateReview(f.deps, admin, { reviewId: review.id, decision: "approve", reason: "" });
    const current = await getReview(f.deps, alice, review.id);
    const edited = await updateReview(f.deps, alice, { reviewId: review.id, expectedVersion: current.version, rating: 2 });
    expect(edited).toMatchObject({ status: "pending", rating: 2, version: current.version + 1 });
    expect((await getProductRating(f.deps, bob, "p-1")).count).toBe(0);
    await expectDomainError(updateReview(f.deps, alice, { reviewId: review.id, expectedVersion: current.version, rating: 3 }), {
      kind: "conflict",
    });
  });

  it("when someone else edits or deletes a review, then NOT_FOUND or PERMISSION_DENIED; an admin may delete it", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice);
    await moderateReview(f.deps, admin, { reviewId: review.id, decision: "approve", reason: "" });
    await expectDomainError(updateReview(f.deps, bob, { reviewId: review.id, expectedVersion: 2, title: "mine" }), {
      kind: "not_found",
    });
    await expectDomainError(deleteReview(f.deps, bob, review.id), { kind: "permission_denied" });
    await deleteReview(f.deps, admin, review.id);
    await expectDomainError(deleteReview(f.deps, admin, review.id), { kind: "not_found" });
    expect(f.eventTypes()).toContain("ReviewDeleted");
    expect((await getProductRating(f.deps, bob, "p-1")).count).toBe(0);
  });

  it("when an author deleted their review, then they may review the product again", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice);
    await deleteReview(f.deps, alice, review.id);
    expect((await f.submitted(alice)).id).not.toBe(review.id);
  });

  it("when users vote helpful twice or withdraw, then one vote per user counts; the author cannot vote", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice);
    await moderateReview(f.deps, admin, { reviewId: review.id, decision: "approve", reason: "" });
    await setHelpfulVote(f.deps, bob, { reviewId: review.id, helpful: true });
    const twice = await setHelpfulVote(f.deps, bob, { reviewId: review.id, helpful: true });
    expect(twice).toMatchObject({ helpfulCount: 1, votedHelpfulByCaller: true, version: 2 });
    await setHelpfulVote(f.deps, carol, { reviewId: review.id, helpful: true });
    expect((await setHelpfulVote(f.deps, bob, { reviewId: review.id, helpful: false })).helpfulCount).toBe(1);
    await expectDomainError(setHelpfulVote(f.deps, alice, { reviewId: review.id, helpful: true }), {
      kind: "failed_precondition",
    });
  });

  it("when another tenant asks for a review by id, then NOT_FOUND", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice);
    await moderateReview(f.deps, admin, { reviewId: review.id, decision: "approve", reason: "" });
    const globexAdmin = ctxOf("globex", "admin", ["tenant_admin"]);
    await expectDomainError(getReview(f.deps, globexAdmin, review.id), { kind: "not_found" });
    await expectDomainError(moderateReview(f.deps, globexAdmin, { reviewId: review.id, decision: "reject", reason: "x" }), {
      kind: "not_found",
    });
    expect((await getProductRating(f.deps, globexAdmin, "p-1")).count).toBe(0);
  });
});
