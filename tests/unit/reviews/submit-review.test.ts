import { describe, expect, it } from "vitest";
import { getReview } from "../../../core/reviews/review-queries.ts";
import { submitReview } from "../../../core/reviews/submit-review.ts";
import { updateReviewSettings } from "../../../core/reviews/review-settings-admin.ts";
import { admin, alice, anonymous, aSubmission, bob, expectDomainError, reviewsFixture } from "./support/reviews-fixture.ts";

describe("submitting a review", () => {
  it("when a customer submits, then the review is pending, authored by the caller, and ReviewAdded is written", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice);
    expect(review).toMatchObject({ authorId: "alice", productId: "p-1", rating: 4, status: "pending", version: 1 });
    expect(f.eventTypes()).toEqual(["ReviewAdded"]);
    expect(f.ratingEvents()).toEqual([]);
  });

  it("when the tenant auto-approves, then the review is approved and the rating changes", async () => {
    const f = reviewsFixture();
    await updateReviewSettings(f.deps, admin, { autoApprove: true });
    await f.submitted(alice, { rating: 5 });
    expect(f.eventTypes()).toEqual(["ReviewAdded", "ProductRatingChanged"]);
    expect(f.ratingEvents()[0]).toMatchObject({ key: "p-1", ratingVersion: 1n, rating: { ratingCount: 1n, fiveStarCount: 1n } });
  });

  it("when the same author reviews the product again, then ALREADY_EXISTS", async () => {
    const f = reviewsFixture();
    await f.submitted(alice);
    await expectDomainError(f.submitted(alice), { kind: "already_exists", code: "REVIEW.ALREADY_EXISTS" });
  });

  it("when a retry carries the same key, then the first review is answered and nothing new is written", async () => {
    const f = reviewsFixture();
    const first = await submitReview(f.deps, alice, aSubmission({ idempotencyKey: "retry-key-1" }));
    const again = await submitReview(f.deps, alice, aSubmission({ idempotencyKey: "retry-key-1" }));
    expect(again.id).toBe(first.id);
    expect(f.eventTypes()).toEqual(["ReviewAdded"]);
  });

  it("when the same key comes with another request, then INVALID_ARGUMENT on idempotency_key", async () => {
    const f = reviewsFixture();
    await submitReview(f.deps, alice, aSubmission({ idempotencyKey: "retry-key-1" }));
    await expectDomainError(submitReview(f.deps, alice, aSubmission({ idempotencyKey: "retry-key-1", rating: 1 })), {
      kind: "invalid",
      field: "idempotency_key",
    });
  });

  it("when the product is unknown in the caller's tenant, then NOT_FOUND", async () => {
    const f = reviewsFixture();
    await expectDomainError(f.submitted(alice, { productId: "p-9" }), { kind: "not_found" });
  });

  it.each([
    [{ rating: 0 }, "rating"],
    [{ rating: 6 }, "rating"],
    [{ title: "  " }, "title"],
    [{ title: "t".repeat(151) }, "title"],
    [{ body: "b".repeat(5_001) }, "body"],
    [{ body: "nul\u0000byte" }, "body"],
    [{ productId: '{"$where":"sleep(1000)"}' }, "product_id"],
    [{ productId: "$gt" }, "product_id"],
  ])("when the submission has %o, then INVALID_ARGUMENT names %s and nothing is stored", async (overrides, field) => {
    const f = reviewsFixture();
    await expectDomainError(f.submitted(alice, overrides), { kind: "invalid", field });
    expect(f.outbox.written).toEqual([]);
  });

  it("when no one is signed in, then UNAUTHENTICATED", async () => {
    const f = reviewsFixture();
    await expectDomainError(f.submitted(anonymous), { kind: "unauthenticated" });
  });

  it("when another user asks for a pending review, then NOT_FOUND; its author and an admin see it", async () => {
    const f = reviewsFixture();
    const review = await f.submitted(alice);
    await expectDomainError(getReview(f.deps, bob, review.id), { kind: "not_found" });
    await expectDomainError(getReview(f.deps, anonymous, review.id), { kind: "not_found" });
    expect((await getReview(f.deps, alice, review.id)).status).toBe("pending");
    expect((await getReview(f.deps, admin, review.id)).status).toBe("pending");
  });
});
