import { describe, expect, it } from "vitest";
import { addItem, applyPromotion, createGuestCart, getCart } from "../../../core/cart/cart-commands.ts";
import { validateForCheckout } from "../../../core/cart/checkout.ts";
import type { ShippingAddress } from "../../../core/cart/checkout-snapshot.ts";
import { createPromotion, type PromotionDefinition } from "../../../core/cart/promotion.ts";
import { createPromotionCode, listPromotionCodes } from "../../../core/cart/promotion-admin.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { admin, anonymous, aPrice, at, cartFixture, key, rejection, signedIn } from "./support/cart-fixture.ts";

const globex = "globex" as TenantId;
const gus = signedIn("globex", "gus");
const newYork: ShippingAddress = {
  recipientName: "Gus",
  addressLines: ["1 Main St"],
  locality: "New York",
  administrativeArea: "NY",
  postalCode: "10001",
  countryCode: "US",
  phoneNumber: "",
};
const fiveOff: PromotionDefinition = {
  code: "FIVE",
  description: "5 off",
  benefit: { kind: "fixed_amount_off", amountMinor: 500 },
  eligibleSkus: [],
  minimumSubtotalMinor: 0,
  startsAt: undefined,
  endsAt: undefined,
  maxRedemptions: 0,
  maxRedemptionsPerUser: 0,
  stackable: false,
};

/** acme sells in EUR, globex in USD (SKU-U at 300 USD; the fixture's SKU-A and SKU-B are in EUR). */
function twoCurrencies() {
  const fixture = cartFixture({}, { acme: "EUR", globex: "USD" });
  fixture.prices.set("globex", aPrice("SKU-U", 300, { currency: "USD" }));
  fixture.availability.set("globex", "SKU-U", 100);
  return fixture;
}

describe("the tenant's own currency", () => {
  it("when two tenants in different currencies open empty carts, then each cart is in its tenant's currency", async () => {
    const { deps } = twoCurrencies();
    expect((await getCart(deps, signedIn("acme", "ada"), { guestCartId: "" })).currency).toBe("EUR");
    expect((await getCart(deps, gus, { guestCartId: "" })).currency).toBe("USD");
    expect((await createGuestCart(deps, anonymous("globex"))).currency).toBe("USD");
    expect((await createGuestCart(deps, anonymous("acme"))).currency).toBe("EUR");
  });

  it("when a tenant the directory does not know opens a cart, then it is in the fallback currency", async () => {
    const { deps } = cartFixture({}, { globex: "USD" });
    expect((await getCart(deps, signedIn("initech", "ivy"), { guestCartId: "" })).currency).toBe("EUR");
  });

  it("when an admin creates a promotion with an amount in another currency than the tenant's, then INVALID_ARGUMENT naming the field", async () => {
    const { deps, promotions } = twoCurrencies();
    const fixedInEuros = await rejection(
      createPromotionCode(deps, admin("globex"), {
        definition: fiveOff,
        amountCurrencies: [{ field: "promotion.fixed_amount_off.amount", currency: "EUR" }],
        idempotencyKey: "create-eur-fixed",
      }),
    );
    expect([fixedInEuros.kind, fixedInEuros.field]).toEqual(["invalid", "promotion.fixed_amount_off.amount"]);
    expect(fixedInEuros.message).toMatch(/USD/);
    const minimumInEuros = await rejection(
      createPromotionCode(deps, admin("globex"), {
        definition: { ...fiveOff, minimumSubtotalMinor: 1000 },
        amountCurrencies: [
          { field: "promotion.fixed_amount_off.amount", currency: "USD" },
          { field: "promotion.minimum_subtotal", currency: "EUR" },
        ],
        idempotencyKey: "create-eur-minimum",
      }),
    );
    expect([minimumInEuros.kind, minimumInEuros.field]).toEqual(["invalid", "promotion.minimum_subtotal"]);
    expect(await promotions.findByCode(globex, "FIVE")).toBeUndefined();
    // The same promotion in euros is acme's to create.
    const inAcme = await createPromotionCode(deps, admin("acme"), {
      definition: fiveOff,
      amountCurrencies: [{ field: "promotion.fixed_amount_off.amount", currency: "EUR" }],
      idempotencyKey: "create-eur-fixed",
    });
    expect(inAcme.definition.benefit).toEqual({ kind: "fixed_amount_off", amountMinor: 500 });
    expect(
      (await listPromotionCodes(deps, admin("globex"), { includeInactive: true, pageSize: 0, pageToken: "" })).promotions,
    ).toEqual([]);
  });

  it("when a promotion in the tenant's currency applies, then the cart's totals are in that currency and exact", async () => {
    const { deps } = twoCurrencies();
    await createPromotionCode(deps, admin("globex"), {
      definition: fiveOff,
      amountCurrencies: [{ field: "promotion.fixed_amount_off.amount", currency: "USD" }],
      idempotencyKey: "create-usd",
    });
    await addItem(deps, gus, { guestCartId: "", sku: "SKU-U", quantity: 3, idempotencyKey: key() });
    const view = await applyPromotion(deps, gus, { guestCartId: "", code: "FIVE", idempotencyKey: key() });
    expect([view.currency, view.subtotalMinor, view.discountTotalMinor, view.totalMinor]).toEqual(["USD", 900, 500, 400]);
  });

  it("when catalog prices a SKU in another currency than the tenant's, then AddItem is CART.CURRENCY_MISMATCH, also into an empty cart", async () => {
    const { deps } = twoCurrencies();
    const error = await rejection(addItem(deps, gus, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() }));
    expect([error.kind, error.code]).toEqual(["failed_precondition", "CART.CURRENCY_MISMATCH"]);
    expect(error.message).toBe("sku SKU-A is priced in EUR, the cart is in USD");
    expect((await getCart(deps, gus, { guestCartId: "" })).lines).toEqual([]);
  });

  it("when a line is priced in another currency than the cart's, then it is shown in it and never summed: totals, minimum spend and checkout leave it out", async () => {
    const { deps, currencies, promotions } = twoCurrencies();
    // Added while globex had no currency of its own (EUR, the fallback), then globex turns out to sell in USD.
    currencies.globex = "EUR";
    await addItem(deps, gus, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    currencies.globex = "USD";
    await addItem(deps, gus, { guestCartId: "", sku: "SKU-U", quantity: 2, idempotencyKey: key() });
    promotions.put(createPromotion(globex, "p1", { ...fiveOff, code: "BIG", minimumSubtotalMinor: 1000 }, at));

    const view = await getCart(deps, gus, { guestCartId: "" });
    expect([view.currency, view.subtotalMinor, view.totalMinor, view.itemCount]).toEqual(["USD", 600, 600, 3]);
    expect(view.lines.map((l) => [l.sku, l.currency, l.unitPriceMinor, l.subtotalMinor, l.discountMinor, l.totalMinor])).toEqual([
      ["SKU-A", "EUR", 1999, 1999, 0, 1999],
      ["SKU-U", undefined, 300, 600, 0, 600],
    ]);
    // 1999 EUR + 600 USD is not above a 1000 USD minimum: only the 600 USD counts.
    const belowMinimum = await rejection(applyPromotion(deps, gus, { guestCartId: "", code: "BIG", idempotencyKey: key() }));
    expect(belowMinimum.code).toBe("CART.PROMOTION_BELOW_MINIMUM");

    const { snapshot, issues } = await validateForCheckout(deps, gus, { shippingAddress: newYork });
    expect(issues).toEqual([{ kind: "unavailable", sku: "SKU-A", message: "sku SKU-A is not priced in USD" }]);
    expect([snapshot.currency, snapshot.subtotalMinor, snapshot.totalMinor, snapshot.unavailableSkus]).toEqual([
      "USD",
      600,
      600,
      ["SKU-A"],
    ]);
    expect(snapshot.lines.map((l) => [l.sku, l.currency, l.totalMinor])).toEqual([
      ["SKU-A", "EUR", 1999],
      ["SKU-U", undefined, 600],
    ]);
  });

  it("when catalog now prices a foreign line in the cart's currency, then checkout reprices it and reports the old price in its own currency", async () => {
    const { deps, currencies, prices } = twoCurrencies();
    currencies.globex = "EUR";
    await addItem(deps, gus, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    currencies.globex = "USD";
    prices.set("globex", aPrice("SKU-A", 1999, { currency: "USD" }));
    const { snapshot, issues } = await validateForCheckout(deps, gus, { shippingAddress: newYork });
    expect(issues).toEqual([
      {
        kind: "price_changed",
        sku: "SKU-A",
        previousUnitPriceMinor: 1999,
        previousCurrency: "EUR",
        message: "sku SKU-A: the unit price changed from 1999 EUR to 1999",
      },
    ]);
    expect([snapshot.totalMinor, snapshot.unavailableSkus, snapshot.lines[0]?.currency]).toEqual([1999, [], undefined]);
  });
});
