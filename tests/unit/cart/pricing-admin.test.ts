import { describe, expect, it } from "vitest";
import { createPromotionCode, disablePromotionCode, listPromotionCodes } from "../../../core/cart/promotion-admin.ts";
import type { PromotionDefinition } from "../../../core/cart/promotion.ts";
import { deleteTaxRate, listTaxRates, setTaxRate } from "../../../core/cart/tax-rate-admin.ts";
import { admin, cartFixture, rejection, signedIn } from "./support/cart-fixture.ts";

const tenPercent: PromotionDefinition = {
  code: "save10",
  description: "10% off",
  benefit: { kind: "percentage_off", basisPoints: 1000 },
  eligibleSkus: [],
  minimumSubtotalMinor: 0,
  startsAt: undefined,
  endsAt: undefined,
  maxRedemptions: 0,
  maxRedemptionsPerUser: 0,
  stackable: false,
};

describe("promotion admin", () => {
  it("when an admin creates a code twice with one key, then one promotion; another request under the key is refused", async () => {
    const { deps } = cartFixture();
    const first = await createPromotionCode(deps, admin("acme"), {
      definition: tenPercent,
      amountCurrencies: [],
      idempotencyKey: "create-key-1",
    });
    expect(first.definition.code).toBe("SAVE10");
    expect(
      await createPromotionCode(deps, admin("acme"), {
        definition: tenPercent,
        amountCurrencies: [],
        idempotencyKey: "create-key-1",
      }),
    ).toEqual(first);
    const reused = await rejection(
      createPromotionCode(deps, admin("acme"), {
        definition: { ...tenPercent, stackable: true },
        amountCurrencies: [],
        idempotencyKey: "create-key-1",
      }),
    );
    expect(reused.code).toBe("CART.IDEMPOTENCY_KEY_REUSED");
    const taken = await rejection(
      createPromotionCode(deps, admin("acme"), { definition: tenPercent, amountCurrencies: [], idempotencyKey: "create-key-2" }),
    );
    expect(taken.code).toBe("CART.PROMOTION_CODE_TAKEN");
  });

  it("when a customer creates, disables or lists, then PERMISSION_DENIED", async () => {
    const { deps } = cartFixture();
    const ada = signedIn("acme", "ada");
    expect(
      (
        await rejection(
          createPromotionCode(deps, ada, { definition: tenPercent, amountCurrencies: [], idempotencyKey: "create-key-1" }),
        )
      ).kind,
    ).toBe("permission_denied");
    expect((await rejection(disablePromotionCode(deps, ada, { promotionId: "x" }))).kind).toBe("permission_denied");
    expect((await rejection(listPromotionCodes(deps, ada, { includeInactive: true, pageSize: 0, pageToken: "" }))).kind).toBe(
      "permission_denied",
    );
  });

  it("when promotions are listed in pages, then every one once, newest first", async () => {
    const { deps, clock } = cartFixture();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000);
      const p = await createPromotionCode(deps, admin("acme"), {
        definition: { ...tenPercent, code: `CODE${i}` },
        amountCurrencies: [],
        idempotencyKey: `create-key-${i}`,
      });
      ids.unshift(p.id);
    }
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await listPromotionCodes(deps, admin("acme"), { includeInactive: true, pageSize: 2, pageToken });
      seen.push(...page.promotions.map((p) => p.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(ids);
    await disablePromotionCode(deps, admin("acme"), { promotionId: ids[0] ?? "" });
    const active = await listPromotionCodes(deps, admin("acme"), { includeInactive: false, pageSize: 0, pageToken: "" });
    expect(active.promotions.map((p) => p.id)).toEqual(ids.slice(1));
    expect((await rejection(disablePromotionCode(deps, admin("globex"), { promotionId: ids[0] ?? "" }))).kind).toBe("not_found");
  });
});

describe("tax-rate admin", () => {
  it("when rates are set, listed in pages and deleted, then areas are upper-cased and a second delete is NOT_FOUND", async () => {
    const { deps } = cartFixture();
    const root = admin("acme");
    await setTaxRate(deps, root, { countryCode: "US", administrativeArea: "ca", taxClass: "standard", ratePpm: 72_500 });
    await setTaxRate(deps, root, { countryCode: "US", administrativeArea: "", taxClass: "standard", ratePpm: 50_000 });
    await setTaxRate(deps, root, { countryCode: "DE", administrativeArea: "", taxClass: "standard", ratePpm: 190_000 });
    const first = await listTaxRates(deps, root, { countryCode: "", pageSize: 2, pageToken: "" });
    const second = await listTaxRates(deps, root, { countryCode: "", pageSize: 2, pageToken: first.nextPageToken });
    expect([...first.taxRates, ...second.taxRates].map((r) => `${r.countryCode}/${r.administrativeArea}`)).toEqual([
      "DE/",
      "US/",
      "US/CA",
    ]);
    expect(second.nextPageToken).toBe("");
    await deleteTaxRate(deps, root, { countryCode: "US", administrativeArea: "Ca", taxClass: "standard" });
    expect(
      (await rejection(deleteTaxRate(deps, root, { countryCode: "US", administrativeArea: "CA", taxClass: "standard" }))).kind,
    ).toBe("not_found");
    expect(
      (
        await rejection(
          setTaxRate(deps, signedIn("acme", "ada"), {
            countryCode: "US",
            administrativeArea: "",
            taxClass: "standard",
            ratePpm: 1,
          }),
        )
      ).kind,
    ).toBe("permission_denied");
  });
});
