import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProductRating } from "../../../core/reviews/product-rating.ts";
import { DEFAULT_REVIEW_SETTINGS } from "../../../core/reviews/review-settings.ts";
import { acme, ctxFor, globex, type ReviewStores } from "./review-stores.harness.ts";

/** The ProductRatingRepository contract: every adapter must pass it. */
export function productRatingRepositoryContract(name: string, open: () => Promise<ReviewStores>) {
  describe(`ProductRatingRepository: ${name}`, () => {
    let stores: ReviewStores;
    beforeEach(async () => {
      stores = await open();
    });
    afterEach(async () => {
      await stores.dispose();
    });

    it("when a first aggregate is saved, then it is found with version 1 and its event, in its tenant only", async () => {
      const rating = ProductRating.empty(acme, "p-1", new Date());
      rating.recount([0, 0, 1, 0, 2], new Date());
      await stores.ratings.save(rating, ctxFor("acme"));
      expect((await stores.ratings.find(acme, "p-1"))?.snapshot()).toMatchObject({ stars: [0, 0, 1, 0, 2], version: 1 });
      expect(await stores.ratings.find(globex, "p-1")).toBeUndefined();
      expect((await stores.events()).map((e) => [e.type, e.key])).toEqual([["shop.events.v1.ProductRatingChanged", "p-1"]]);
    });

    it("when two savers start from the same version, then the second is ABORTED (first insert and later updates)", async () => {
      const a = ProductRating.empty(acme, "p-1", new Date());
      const b = ProductRating.empty(acme, "p-1", new Date());
      a.recount([1, 0, 0, 0, 0], new Date());
      b.recount([0, 1, 0, 0, 0], new Date());
      await stores.ratings.save(a, ctxFor("acme"));
      await expect(stores.ratings.save(b, ctxFor("acme"))).rejects.toMatchObject({ kind: "conflict" });

      const c = (await stores.ratings.find(acme, "p-1"))!;
      const d = (await stores.ratings.find(acme, "p-1"))!;
      c.recount([2, 0, 0, 0, 0], new Date());
      d.recount([3, 0, 0, 0, 0], new Date());
      await stores.ratings.save(c, ctxFor("acme"));
      await expect(stores.ratings.save(d, ctxFor("acme"))).rejects.toMatchObject({ kind: "conflict" });
      expect((await stores.ratings.find(acme, "p-1"))?.snapshot()).toMatchObject({ stars: [2, 0, 0, 0, 0], version: 2 });
    });
  });
}

/** The ReviewSettingsRepository contract. */
export function reviewSettingsRepositoryContract(name: string, open: () => Promise<ReviewStores>) {
  describe(`ReviewSettingsRepository: ${name}`, () => {
    let stores: ReviewStores;
    beforeEach(async () => {
      stores = await open();
    });
    afterEach(async () => {
      await stores.dispose();
    });

    it("when a tenant never set any, then the defaults; once set, its own only", async () => {
      expect(await stores.settings.get(acme)).toEqual(DEFAULT_REVIEW_SETTINGS);
      await stores.settings.put(acme, { autoApprove: true, flagThreshold: 7 });
      await stores.settings.put(acme, { autoApprove: true, flagThreshold: 8 });
      expect(await stores.settings.get(acme)).toEqual({ autoApprove: true, flagThreshold: 8 });
      expect(await stores.settings.get(globex)).toEqual(DEFAULT_REVIEW_SETTINGS);
    });
  });
}
