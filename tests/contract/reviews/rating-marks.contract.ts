import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../core/kit/clock.ts";
import { recountMarkedRatings, refreshProductRating } from "../../../core/reviews/rating-refresh.ts";
import { decodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import { ProductRatingChangedSchema } from "../../../gen/shop/events/v1/review_events_pb.ts";
import { acme, aReview, ctxFor, globex, type ReviewStores } from "./review-stores.harness.ts";

const FAR_FUTURE = new Date(Date.UTC(2100, 0, 1));

/**
 * Rating marks through the stores (ReviewRepository + ProductRatingRepository): a write that may
 * move a rating leaves a mark in the same write, so a recount lost to a crash is finished by the
 * sweep. The crash is simulated by writing through the repository without the recount step.
 */
export function ratingMarksContract(name: string, open: () => Promise<ReviewStores>) {
  describe(`rating marks: ${name}`, () => {
    let stores: ReviewStores;
    let deps: { reviews: ReviewStores["reviews"]; ratings: ReviewStores["ratings"]; clock: typeof systemClock };
    beforeEach(async () => {
      stores = await open();
      deps = { reviews: stores.reviews, ratings: stores.ratings, clock: systemClock };
    });
    afterEach(async () => {
      await stores.dispose();
    });

    const ratingChanges = async () =>
      (await stores.events()).flatMap((e) => {
        const decoded = decodeEvent(ProductRatingChangedSchema, e);
        return decoded
          ? [
              {
                tenant: e.tenantId,
                key: e.key,
                version: Number(decoded.ratingVersion),
                count: Number(decoded.rating?.ratingCount),
              },
            ]
          : [];
      });

    it("when the process dies between an approved review's write and its recount, then the sweep recounts, publishes and clears", async () => {
      const review = aReview({ rating: 5 }, { approved: true });
      await stores.reviews.add(review, ctxFor("acme"), { marksRating: true });
      // The crash: no recount. The rating is stale, the mark is there.
      expect(await stores.ratings.find(acme, "p-1")).toBeUndefined();
      expect(await stores.reviews.ratingMarks(FAR_FUTURE, 10)).toEqual([
        { tenantId: acme, productId: "p-1", reviewId: review.id, revision: 1, since: review.snapshot().updatedAt },
      ]);

      expect(await recountMarkedRatings(deps, { before: FAR_FUTURE, limit: 10, correlationId: "sweep" })).toBe(1);
      expect((await stores.ratings.find(acme, "p-1"))?.snapshot()).toMatchObject({ stars: [0, 0, 0, 0, 1], version: 1 });
      expect(await ratingChanges()).toEqual([{ tenant: "acme", key: "p-1", version: 1, count: 1 }]);
      expect(await stores.reviews.ratingMarks(FAR_FUTURE, 10)).toEqual([]);

      // Sweeping again finds nothing and stores nothing.
      expect(await recountMarkedRatings(deps, { before: FAR_FUTURE, limit: 10, correlationId: "sweep" })).toBe(0);
      expect(await ratingChanges()).toHaveLength(1);
    });

    it("when the crash came after the recount but before the clear, then the sweep clears the mark and stores nothing new", async () => {
      const review = aReview({ rating: 3 }, { approved: true });
      await stores.reviews.add(review, ctxFor("acme"), { marksRating: true });
      await refreshProductRating(deps, ctxFor("acme"), "p-1");
      expect(await recountMarkedRatings(deps, { before: FAR_FUTURE, limit: 10, correlationId: "sweep" })).toBe(1);
      expect((await stores.ratings.find(acme, "p-1"))?.snapshot()).toMatchObject({ stars: [0, 0, 1, 0, 0], version: 1 });
      expect(await ratingChanges()).toHaveLength(1);
      expect(await stores.reviews.ratingMarks(FAR_FUTURE, 10)).toEqual([]);
    });

    it("when a later write marked the review again, then clearing the older mark keeps the newer one", async () => {
      const review = aReview({ rating: 4 }, { approved: true });
      await stores.reviews.add(review, ctxFor("acme"), { marksRating: true });
      const stored = (await stores.reviews.find(acme, review.id))!;
      stored.moderate("reject", "spam", new Date(review.snapshot().updatedAt.getTime() + 1_000));
      await stores.reviews.update(stored, ctxFor("acme"), { marksRating: true });
      await stores.reviews.clearRatingMark(acme, review.id, 1);
      expect((await stores.reviews.ratingMarks(FAR_FUTURE, 10)).map((m) => m.revision)).toEqual([2]);
      // An unmarked write (a vote) leaves the mark as it is.
      const voted = (await stores.reviews.find(acme, review.id))!;
      voted.setHelpful("someone", true);
      await stores.reviews.update(voted, ctxFor("acme"));
      expect((await stores.reviews.ratingMarks(FAR_FUTURE, 10)).map((m) => m.revision)).toEqual([2]);
      await stores.reviews.clearRatingMark(acme, review.id, 2);
      expect(await stores.reviews.ratingMarks(FAR_FUTURE, 10)).toEqual([]);
    });

    it("when marks are listed, then every tenant's (tombstones too), oldest first, only those before the time given", async () => {
      const older = aReview({ productId: "p-1" }, { approved: true, at: new Date(Date.UTC(2026, 10, 1, 9)) });
      const theirs = aReview({ tenantId: globex, productId: "p-9" }, { approved: true, at: new Date(Date.UTC(2026, 10, 1, 10)) });
      const newer = aReview({ productId: "p-2" }, { approved: true, at: new Date(Date.UTC(2026, 10, 1, 11)) });
      await stores.reviews.add(newer, ctxFor("acme"), { marksRating: true });
      await stores.reviews.add(older, ctxFor("acme"), { marksRating: true });
      await stores.reviews.add(theirs, ctxFor("globex"), { marksRating: true });
      await stores.reviews.add(aReview({ productId: "p-3" }), ctxFor("acme"));
      const gone = (await stores.reviews.find(acme, older.id))!;
      gone.delete(new Date(Date.UTC(2026, 10, 1, 9, 30)));
      await stores.reviews.update(gone, ctxFor("acme"), { marksRating: true });

      const marks = await stores.reviews.ratingMarks(new Date(Date.UTC(2026, 10, 1, 10, 30)), 10);
      expect(marks.map((m) => [m.tenantId, m.productId, m.reviewId])).toEqual([
        ["acme", "p-1", older.id],
        ["globex", "p-9", theirs.id],
      ]);
      expect(await stores.reviews.ratingMarks(FAR_FUTURE, 1)).toHaveLength(1);
      await recountMarkedRatings(deps, { before: FAR_FUTURE, limit: 10, correlationId: "sweep" });
      expect((await stores.ratings.find(globex, "p-9"))?.snapshot().stars).toEqual([0, 0, 0, 1, 0]);
      expect(await stores.ratings.find(acme, "p-9")).toBeUndefined();
      expect(await stores.reviews.ratingMarks(FAR_FUTURE, 10)).toEqual([]);
    });
  });
}
