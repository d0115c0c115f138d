import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acme, aReview, ctxFor, globex, type ReviewStores } from "./review-stores.harness.ts";

/** The ReviewRepository contract: every adapter (memory, MongoDB/FerretDB) must pass it. */
export function reviewRepositoryContract(name: string, open: () => Promise<ReviewStores>) {
  describe(`ReviewRepository: ${name}`, () => {
    let stores: ReviewStores;
    beforeEach(async () => {
      stores = await open();
    });
    afterEach(async () => {
      await stores.dispose();
    });

    it("when a review is added, then it is found by id and by author, with its ReviewAdded stored", async () => {
      const review = aReview({ authorId: "alice" });
      await stores.reviews.add(review, ctxFor("acme"));
      expect((await stores.reviews.find(acme, review.id))?.snapshot()).toEqual(review.snapshot());
      expect((await stores.reviews.findByAuthor(acme, "p-1", "alice"))?.id).toBe(review.id);
      expect((await stores.events()).map((e) => [e.type, e.key, e.tenantId])).toEqual([
        ["shop.events.v1.ReviewAdded", "p-1", "acme"],
      ]);
    });

    it("when another tenant looks the review up, then it is not there", async () => {
      const review = aReview({ authorId: "alice" });
      await stores.reviews.add(review, ctxFor("acme"));
      expect(await stores.reviews.find(globex, review.id)).toBeUndefined();
      expect(await stores.reviews.findByAuthor(globex, "p-1", "alice")).toBeUndefined();
      expect(await stores.reviews.countApprovedStars(globex, "p-1")).toEqual([0, 0, 0, 0, 0]);
    });

    it("when the author adds a second review of the product, then ALREADY_EXISTS; another tenant may", async () => {
      await stores.reviews.add(aReview({ authorId: "alice" }), ctxFor("acme"));
      await expect(stores.reviews.add(aReview({ authorId: "alice" }), ctxFor("acme"))).rejects.toMatchObject({
        kind: "already_exists",
      });
      await stores.reviews.add(aReview({ authorId: "alice", tenantId: globex }), ctxFor("globex"));
      await stores.reviews.add(aReview({ authorId: "alice", productId: "p-2" }), ctxFor("acme"));
    });

    it("when two copies are updated, then the second is ABORTED and the first's events are kept", async () => {
      const review = aReview({ authorId: "alice" });
      await stores.reviews.add(review, ctxFor("acme"));
      const one = await stores.reviews.find(acme, review.id);
      const two = await stores.reviews.find(acme, review.id);
      one?.moderate("approve", "", new Date());
      two?.setHelpful("bob", true);
      await stores.reviews.update(one!, ctxFor("acme"));
      await expect(stores.reviews.update(two!, ctxFor("acme"))).rejects.toMatchObject({ code: "REVIEW.CONCURRENT_UPDATE" });
      expect((await stores.reviews.find(acme, review.id))?.status).toBe("approved");
      expect((await stores.events()).map((e) => e.type)).toEqual([
        "shop.events.v1.ReviewAdded",
        "shop.events.v1.ReviewModerated",
      ]);
    });

    it("when ten copies vote concurrently from one revision, then exactly one vote is stored and the others are ABORTED", async () => {
      // A lost race is timing-dependent: several rounds make a lost one near certain where writes are not atomic.
      for (let round = 0; round < 5; round++) {
        const review = aReview({ authorId: `alice-${round}` });
        await stores.reviews.add(review, ctxFor("acme"));
        const copies = await Promise.all(Array.from({ length: 10 }, () => stores.reviews.find(acme, review.id)));
        for (const [i, copy] of copies.entries()) copy!.setHelpful(`voter-${i}`, true);

        const outcomes = await Promise.allSettled(copies.map((copy) => stores.reviews.update(copy!, ctxFor("acme"))));

        expect(
          outcomes.filter((o) => o.status === "fulfilled"),
          `round ${round}`,
        ).toHaveLength(1);
        for (const o of outcomes)
          if (o.status === "rejected") expect(o.reason).toMatchObject({ code: "REVIEW.CONCURRENT_UPDATE" });
        expect((await stores.reviews.find(acme, review.id))?.snapshot().helpfulVoters).toHaveLength(1);
      }
    });

    it("when a review is deleted, then it is gone, the author may review again, and ReviewDeleted is kept", async () => {
      const review = aReview({ authorId: "alice" });
      await stores.reviews.add(review, ctxFor("acme"));
      const stored = (await stores.reviews.find(acme, review.id))!;
      stored.delete(new Date());
      await stores.reviews.update(stored, ctxFor("acme"));
      expect(await stores.reviews.find(acme, review.id)).toBeUndefined();
      expect(await stores.reviews.findByAuthor(acme, "p-1", "alice")).toBeUndefined();
      await stores.reviews.add(aReview({ authorId: "alice" }), ctxFor("acme"));
      expect((await stores.events()).map((e) => e.type)).toContain("shop.events.v1.ReviewDeleted");
    });

    it("when approved reviews are counted, then per star, approved ones of that product only", async () => {
      for (const [rating, approved, productId] of [
        [5, true, "p-1"],
        [5, true, "p-1"],
        [2, true, "p-1"],
        [1, false, "p-1"],
        [3, true, "p-2"],
      ] as const) {
        await stores.reviews.add(aReview({ rating, productId }, { approved }), ctxFor("acme"));
      }
      expect(await stores.reviews.countApprovedStars(acme, "p-1")).toEqual([0, 1, 0, 0, 2]);
    });

    it("when listing with a cursor, then pages follow the order and show approved ones plus the viewer's own", async () => {
      const made = [];
      for (const [i, rating] of [3, 5, 1, 5].entries())
        made.push(await add(aReview({ rating, authorId: `a-${i}` }, { approved: true })));
      const own = await add(aReview({ rating: 2, authorId: "viewer" }));
      await add(aReview({ rating: 4, authorId: "stranger" }));
      const base = { tenantId: acme, productId: "p-1", rating: undefined, limit: 2 } as const;

      const first = await stores.reviews.listForProduct({
        ...base,
        viewerId: "viewer",
        sort: "rating_highest",
        after: undefined,
      });
      expect(first.map((r) => r.snapshot().rating)).toEqual([5, 5]);
      expect(first.map((r) => r.id)).toEqual([made[3]?.id, made[1]?.id]);
      const last = first[1]!.snapshot();
      const second = await stores.reviews.listForProduct({
        ...base,
        viewerId: "viewer",
        sort: "rating_highest",
        after: { sortValue: last.rating, createdAtMs: last.createdAt.getTime(), id: last.id },
      });
      expect(second.map((r) => r.id)).toEqual([made[0]?.id, own.id]);

      const newest = await stores.reviews.listForProduct({
        ...base,
        viewerId: undefined,
        sort: "newest",
        after: undefined,
        limit: 10,
      });
      expect(newest.map((r) => r.id)).toEqual([...made].reverse().map((r) => r.id));
      const ones = await stores.reviews.listForProduct({
        ...base,
        viewerId: undefined,
        sort: "newest",
        rating: 1,
        after: undefined,
      });
      expect(ones.map((r) => r.id)).toEqual([made[2]?.id]);
    });

    it("when listing the moderation queue, then pending ones, most flagged first, then oldest", async () => {
      const old = await add(aReview());
      const flagged = await add(aReview());
      await add(aReview({}, { approved: true }));
      await add(aReview({ productId: "p-2" }));
      const copy = (await stores.reviews.find(acme, flagged.id))!;
      copy.flag("x", 0, new Date());
      await stores.reviews.update(copy, ctxFor("acme"));
      const queue = await stores.reviews.listPending({ tenantId: acme, productId: "p-1", after: undefined, limit: 10 });
      expect(queue.map((r) => r.id)).toEqual([flagged.id, old.id]);
      const rest = await stores.reviews.listPending({
        tenantId: acme,
        productId: undefined,
        after: { flagCount: 1, createdAtMs: copy.snapshot().createdAt.getTime(), id: flagged.id },
        limit: 10,
      });
      expect(rest.map((r) => r.snapshot().productId)).toEqual(["p-1", "p-2"]);
      expect(await stores.reviews.listPending({ tenantId: globex, productId: undefined, after: undefined, limit: 10 })).toEqual(
        [],
      );
    });

    async function add(review: ReturnType<typeof aReview>) {
      await stores.reviews.add(review, ctxFor(review.tenantId));
      return review;
    }
  });
}
