import { describe, expect, it } from "vitest";
import { createPromotion, disablePromotion, type PromotionDefinition } from "../../../core/cart/promotion.ts";
import type { PromotionRepository } from "../../../core/cart/promotion-repository.ts";
import type { TaxRateRepository } from "../../../core/cart/tax-rate-repository.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { domainFailure } from "../../support/domain-failure.ts";

export interface PricingStoresHarness {
  readonly promotions: PromotionRepository;
  readonly taxRates: TaxRateRepository;
  dispose(): Promise<void>;
}

const acme = "acme" as TenantId;
const globex = "globex" as TenantId;
const t0 = new Date("2026-11-10T12:00:00.000Z");
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

const definition = (code: string, overrides: Partial<PromotionDefinition> = {}): PromotionDefinition => ({
  code,
  description: `Promotion ${code}`,
  benefit: { kind: "fixed_amount_off", amountMinor: 500 },
  eligibleSkus: ["SKU-A"],
  minimumSubtotalMinor: 1000,
  startsAt: at(-60),
  endsAt: at(60),
  maxRedemptions: 10,
  maxRedemptionsPerUser: 1,
  stackable: false,
  ...overrides,
});
const creation = (n: string) => ({ keyHash: n.padEnd(64, "0"), fingerprint: "f".repeat(64) });

/** What every promotion and tax-rate store must do. */
export function pricingStoresContract(name: string, open: () => Promise<PricingStoresHarness>) {
  describe(`promotion and tax-rate stores: ${name}`, () => {
    it("when a promotion is added, then it is found by code, id and creation key with every field, in its tenant only", async () => {
      const h = await open();
      try {
        const promotion = createPromotion(acme, "p-1", definition("SAVE5"), t0);
        await h.promotions.add(promotion, creation("k1"));
        expect(await h.promotions.findByCode(acme, "SAVE5")).toEqual(promotion);
        expect(await h.promotions.findById(acme, "p-1")).toEqual(promotion);
        expect(await h.promotions.findByCreation(acme, creation("k1").keyHash)).toEqual({
          promotion,
          fingerprint: "f".repeat(64),
        });
        expect(await h.promotions.findByCode(globex, "SAVE5")).toBeUndefined();
        expect(await h.promotions.findById(globex, "p-1")).toBeUndefined();
        expect(await h.promotions.findByCreation(globex, creation("k1").keyHash)).toBeUndefined();
        const open_ = createPromotion(acme, "p-2", definition("OPEN", { startsAt: undefined, endsAt: undefined }), t0);
        await h.promotions.add(open_, creation("k2"));
        expect(await h.promotions.findByCode(acme, "OPEN")).toEqual(open_);
        // Another tenant may use the same code.
        await h.promotions.add(createPromotion(globex, "p-1", definition("SAVE5"), t0), creation("k1"));
        expect((await h.promotions.findByCode(globex, "SAVE5"))?.tenantId).toBe(globex);
      } finally {
        await h.dispose();
      }
    });

    it("when a code or a creation key is in use, then add fails ALREADY_EXISTS with its code", async () => {
      const h = await open();
      try {
        await h.promotions.add(createPromotion(acme, "p-1", definition("SAVE5"), t0), creation("k1"));
        const code = await domainFailure(h.promotions.add(createPromotion(acme, "p-2", definition("SAVE5"), t0), creation("k2")));
        expect([code.kind, code.code]).toEqual(["already_exists", "CART.PROMOTION_CODE_TAKEN"]);
        const key = await domainFailure(h.promotions.add(createPromotion(acme, "p-3", definition("OTHER"), t0), creation("k1")));
        expect([key.kind, key.code]).toEqual(["already_exists", "CART.IDEMPOTENCY_KEY_TAKEN"]);
        expect(await h.promotions.findById(acme, "p-2")).toBeUndefined();
      } finally {
        await h.dispose();
      }
    });

    it("when a promotion is disabled, then the update is kept, and a stale version is ABORTED", async () => {
      const h = await open();
      try {
        const promotion = createPromotion(acme, "p-1", definition("SAVE5"), t0);
        await h.promotions.add(promotion, creation("k1"));
        const disabled = disablePromotion(promotion, at(1));
        await h.promotions.update(disabled);
        expect(await h.promotions.findById(acme, "p-1")).toEqual(disabled);
        expect((await domainFailure(h.promotions.update(disabled))).kind).toBe("conflict");
      } finally {
        await h.dispose();
      }
    });

    it("when promotions are listed, then newest first, paged by (created, id), inactive ones only when asked", async () => {
      const h = await open();
      try {
        await h.promotions.add(createPromotion(acme, "p-a", definition("AAA"), at(1)), creation("a"));
        await h.promotions.add(createPromotion(acme, "p-b", definition("BBB"), at(2)), creation("b"));
        await h.promotions.add(createPromotion(acme, "p-c", definition("CCC"), at(2)), creation("c"));
        await h.promotions.add(createPromotion(acme, "p-d", definition("DDD", { endsAt: at(3) }), at(2)), creation("d"));
        await h.promotions.update(disablePromotion(createPromotion(acme, "p-a", definition("AAA"), at(1)), at(5)));
        await h.promotions.add(createPromotion(globex, "p-z", definition("ZZZ"), at(9)), creation("z"));
        const ids = async (includeInactive: boolean, after?: { createdAt: Date; id: string }, limit = 10) =>
          (await h.promotions.list(acme, { includeInactive, now: at(10), after, limit })).map((p) => p.id);
        expect(await ids(true)).toEqual(["p-d", "p-c", "p-b", "p-a"]);
        expect(await ids(false)).toEqual(["p-c", "p-b"]);
        expect(await ids(true, undefined, 2)).toEqual(["p-d", "p-c"]);
        expect(await ids(true, { createdAt: at(2), id: "p-c" })).toEqual(["p-b", "p-a"]);
        expect(await h.promotions.userRedemptions(acme, "AAA", "ada")).toBe(0);
      } finally {
        await h.dispose();
      }
    });

    it("when tax rates are set, replaced and deleted, then lookups and lists follow, per tenant", async () => {
      const h = await open();
      try {
        const rate = (countryCode: string, administrativeArea: string, taxClass: string, ratePpm: number) => ({
          countryCode,
          administrativeArea,
          taxClass,
          ratePpm,
        });
        await h.taxRates.put(acme, rate("US", "CA", "standard", 72_500));
        await h.taxRates.put(acme, rate("US", "", "standard", 50_000));
        await h.taxRates.put(acme, rate("DE", "", "standard", 190_000));
        await h.taxRates.put(acme, rate("DE", "", "reduced", 70_000));
        await h.taxRates.put(acme, rate("DE", "", "standard", 190_001));
        await h.taxRates.put(globex, rate("US", "", "standard", 1));
        const us = await h.taxRates.ratesFor(acme, "US");
        expect([...us].sort((a, b) => a.ratePpm - b.ratePpm)).toEqual([
          rate("US", "", "standard", 50_000),
          rate("US", "CA", "standard", 72_500),
        ]);
        expect(await h.taxRates.list(acme, { countryCode: undefined, after: undefined, limit: 10 })).toEqual([
          rate("DE", "", "reduced", 70_000),
          rate("DE", "", "standard", 190_001),
          rate("US", "", "standard", 50_000),
          rate("US", "CA", "standard", 72_500),
        ]);
        expect(
          await h.taxRates.list(acme, {
            countryCode: undefined,
            after: { countryCode: "DE", administrativeArea: "", taxClass: "standard" },
            limit: 1,
          }),
        ).toEqual([rate("US", "", "standard", 50_000)]);
        expect(await h.taxRates.list(acme, { countryCode: "US", after: undefined, limit: 1 })).toEqual([
          rate("US", "", "standard", 50_000),
        ]);
        expect(await h.taxRates.remove(acme, { countryCode: "US", administrativeArea: "CA", taxClass: "standard" })).toBe(true);
        expect(await h.taxRates.remove(acme, { countryCode: "US", administrativeArea: "CA", taxClass: "standard" })).toBe(false);
        expect(await h.taxRates.ratesFor(acme, "US")).toEqual([rate("US", "", "standard", 50_000)]);
        expect(await h.taxRates.ratesFor(globex, "US")).toEqual([rate("US", "", "standard", 1)]);
        expect(await h.taxRates.remove(globex, { countryCode: "DE", administrativeArea: "", taxClass: "reduced" })).toBe(false);
      } finally {
        await h.dispose();
      }
    });
  });
}
