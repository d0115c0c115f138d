import { describe, expect, it } from "vitest";
import { addItem, applyPromotion, getCart, removePromotion } from "../../../core/cart/cart-commands.ts";
import { Cart } from "../../../core/cart/cart.ts";
import type { CartRepository } from "../../../core/cart/cart-repository.ts";
import { getCheckoutSnapshot, validateForCheckout } from "../../../core/cart/checkout.ts";
import type { ShippingAddress } from "../../../core/cart/checkout-snapshot.ts";
import { clearOrderedCart, giveBackRedemptions, recordPlacedOrder } from "../../../core/cart/order-events.ts";
import { createPromotion, type PromotionDefinition } from "../../../core/cart/promotion.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { anonymous, aPrice, at, cartFixture, key, rejection, signedIn } from "./support/cart-fixture.ts";

const ada = signedIn("acme", "ada");
const acme = "acme" as TenantId;
const berlin: ShippingAddress = {
  recipientName: "Ada",
  addressLines: ["Unter den Linden 1"],
  locality: "Berlin",
  administrativeArea: "BE",
  postalCode: "10117",
  countryCode: "DE",
  phoneNumber: "",
};
const tenPercent: PromotionDefinition = {
  code: "SAVE10",
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

/** ada's cart: SKU-A x2 at 1999 (standard), SKU-B x3 at 500 (reduced), SAVE10; German rates 19% and 7%. */
async function adaReadyToPay(promotion: Partial<PromotionDefinition> = {}) {
  const fixture = cartFixture();
  fixture.promotions.put(createPromotion(acme, "p1", { ...tenPercent, ...promotion }, at));
  await fixture.taxRates.put(acme, { countryCode: "DE", administrativeArea: "", taxClass: "standard", ratePpm: 190_000 });
  await fixture.taxRates.put(acme, { countryCode: "DE", administrativeArea: "", taxClass: "reduced", ratePpm: 70_000 });
  await addItem(fixture.deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 2, idempotencyKey: key() });
  await addItem(fixture.deps, ada, { guestCartId: "", sku: "SKU-B", quantity: 3, idempotencyKey: key() });
  await applyPromotion(fixture.deps, ada, { guestCartId: "", code: "SAVE10", idempotencyKey: key() });
  return fixture;
}

describe("ValidateForCheckout", () => {
  it("when nothing changed, then the snapshot is priced exactly with tax at a new version and can be fetched", async () => {
    const { deps } = await adaReadyToPay();
    const { snapshot, issues } = await validateForCheckout(deps, ada, { shippingAddress: berlin });
    expect(issues).toEqual([]);
    expect(snapshot.cartVersion).toBe(4);
    // A: 3998 - 400 (10% of 3998 = 399.8) = 3598, tax 19% = 683.62 -> 684.
    // B: 1500 - 150 = 1350, tax 7% = 94.5 -> 94 (half to even).
    expect(snapshot.lines.map((l) => [l.sku, l.subtotalMinor, l.discountMinor, l.taxMinor, l.totalMinor])).toEqual([
      ["SKU-A", 3998, 400, 684, 4282],
      ["SKU-B", 1500, 150, 94, 1444],
    ]);
    expect([snapshot.subtotalMinor, snapshot.discountTotalMinor, snapshot.taxTotalMinor, snapshot.totalMinor]).toEqual([
      5498, 550, 778, 5726,
    ]);
    expect(snapshot.promotions).toEqual([{ code: "SAVE10", description: "10% off", discountMinor: 550 }]);
    expect(snapshot.unavailableSkus).toEqual([]);
    expect(snapshot.expiresAt.getTime() - snapshot.createdAt.getTime()).toBe(30 * 60_000);
    expect((await getCart(deps, ada, { guestCartId: "" })).version).toBe(4);
    expect(await getCheckoutSnapshot(deps, ada, { cartId: "u-ada", cartVersion: 4 })).toEqual(snapshot);
  });

  it("when prices, stock and promotion limits moved, then the cart is corrected, every change is an issue, and a gone SKU blocks", async () => {
    const { deps, prices, availability } = await adaReadyToPay({ maxRedemptionsPerUser: 1 });
    await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 3, idempotencyKey: key() });
    prices.set("acme", aPrice("SKU-A", 2499));
    availability.set("acme", "SKU-A", 4);
    prices.set("acme", aPrice("SKU-B", 500, { taxClass: "reduced", purchasable: false }));
    await recordPlacedOrder(deps, ada, {
      orderId: "o-1",
      userId: "ada",
      cartId: "u-ada",
      cartVersion: 1,
      promotionCodes: ["save10"],
    });

    const { snapshot, issues } = await validateForCheckout(deps, ada, { shippingAddress: berlin });
    expect(issues.map((i) => ({ ...i, message: undefined }))).toEqual([
      { kind: "price_changed", sku: "SKU-A", previousUnitPriceMinor: 1999, previousCurrency: "EUR", message: undefined },
      { kind: "quantity_reduced", sku: "SKU-A", previousQuantity: 5, message: undefined },
      { kind: "unavailable", sku: "SKU-B", message: undefined },
      { kind: "promotion_removed", code: "SAVE10", message: undefined },
    ]);
    expect(issues.every((i) => i.message.length > 0)).toBe(true);
    expect(snapshot.unavailableSkus).toEqual(["SKU-B"]);
    expect(snapshot.promotions).toEqual([]);
    const cart = await getCart(deps, ada, { guestCartId: "" });
    expect(cart.lines.map((l) => [l.sku, l.quantity, l.unitPriceMinor])).toEqual([
      ["SKU-A", 4, 2499],
      ["SKU-B", 3, 500],
    ]);
    expect(cart.promotions).toEqual([]);
    expect(cart.version).toBe(snapshot.cartVersion);
  });

  it("when catalog or inventory cannot answer, then it is UNAVAILABLE and neither cart nor snapshot moves", async () => {
    const { deps, prices, availability } = await adaReadyToPay();
    for (const down of [prices, availability]) {
      down.down = true;
      const refused = await rejection(validateForCheckout(deps, ada, { shippingAddress: berlin }));
      expect(refused.kind).toBe("unavailable");
      down.down = false;
    }
    expect((await getCart(deps, ada, { guestCartId: "" })).version).toBe(3);
    expect((await rejection(getCheckoutSnapshot(deps, ada, { cartId: "u-ada", cartVersion: 3 }))).code).toBe(
      "CART.SNAPSHOT_NOT_FOUND",
    );
  });

  it("when the cart is empty, the caller anonymous or the country not a code, then it is refused", async () => {
    const { deps } = cartFixture();
    expect((await rejection(validateForCheckout(deps, ada, { shippingAddress: berlin }))).code).toBe("CART.EMPTY");
    expect((await rejection(validateForCheckout(deps, anonymous("acme"), { shippingAddress: berlin }))).kind).toBe(
      "unauthenticated",
    );
    const bad = await rejection(validateForCheckout(deps, ada, { shippingAddress: { ...berlin, countryCode: "de" } }));
    expect(bad.field).toBe("shipping_address.country_code");
  });
});

describe("usage limits held at checkout", () => {
  /** ada and bob, each with SKU-A in the cart and SAVE10 (at most one use in all) applied. */
  async function twoCustomersOneUse(promotion: Partial<PromotionDefinition> = { maxRedemptions: 1 }) {
    const fixture = await adaReadyToPay(promotion);
    await addItem(fixture.deps, bob, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    await applyPromotion(fixture.deps, bob, { guestCartId: "", code: "SAVE10", idempotencyKey: key() });
    return fixture;
  }
  const bob = signedIn("acme", "bob");
  const codesOf = (validation: { snapshot: { promotions: readonly { code: string }[] } }) =>
    validation.snapshot.promotions.map((p) => p.code);

  it("when the last use is held by another snapshot, then the code is dropped with PROMOTION_REMOVED until that snapshot expires", async () => {
    const { deps, clock } = await twoCustomersOneUse();
    expect(codesOf(await validateForCheckout(deps, ada, { shippingAddress: berlin }))).toEqual(["SAVE10"]);
    // ada validating again keeps her own hold.
    expect(codesOf(await validateForCheckout(deps, ada, { shippingAddress: berlin }))).toEqual(["SAVE10"]);

    const refused = await validateForCheckout(deps, bob, { shippingAddress: berlin });
    expect(codesOf(refused)).toEqual([]);
    expect(refused.issues).toEqual([
      { kind: "promotion_removed", code: "SAVE10", message: "promotion SAVE10: has reached its usage limit" },
    ]);
    expect(refused.snapshot.discountTotalMinor).toBe(0);
    expect((await getCart(deps, bob, { guestCartId: "" })).promotions).toEqual([]);
    expect(
      (await getCheckoutSnapshot(deps, bob, { cartId: "u-bob", cartVersion: refused.snapshot.cartVersion })).promotions,
    ).toEqual([]);

    // ada's snapshot lives 30 minutes: one millisecond before, the use is still hers.
    await applyPromotion(deps, bob, { guestCartId: "", code: "SAVE10", idempotencyKey: key() });
    clock.advance(30 * 60_000 - 1);
    expect(codesOf(await validateForCheckout(deps, bob, { shippingAddress: berlin }))).toEqual([]);
    await applyPromotion(deps, bob, { guestCartId: "", code: "SAVE10", idempotencyKey: key() });
    clock.advance(1);
    const kept = await validateForCheckout(deps, bob, { shippingAddress: berlin });
    expect(codesOf(kept)).toEqual(["SAVE10"]);
    expect(kept.snapshot.discountTotalMinor).toBe(200);
    expect(codesOf(await validateForCheckout(deps, ada, { shippingAddress: berlin }))).toEqual([]);
  });

  it("when the holder's newer snapshot goes without the code, then the use is released at once", async () => {
    const { deps } = await twoCustomersOneUse();
    await validateForCheckout(deps, ada, { shippingAddress: berlin });
    await removePromotion(deps, ada, { guestCartId: "", code: "SAVE10", idempotencyKey: key() });
    // A cart change alone does not release it (the snapshot may still be ordered until it expires)...
    expect(codesOf(await validateForCheckout(deps, bob, { shippingAddress: berlin }))).toEqual([]);
    await applyPromotion(deps, bob, { guestCartId: "", code: "SAVE10", idempotencyKey: key() });
    // ...ada's next snapshot, without the code, does.
    expect(codesOf(await validateForCheckout(deps, ada, { shippingAddress: berlin }))).toEqual([]);
    expect(codesOf(await validateForCheckout(deps, bob, { shippingAddress: berlin }))).toEqual(["SAVE10"]);
  });

  it("when the held snapshot is ordered, then the hold becomes the redemption; a cancelled order gives the use back", async () => {
    const { deps, clock, promotions } = await twoCustomersOneUse();
    const { snapshot } = await validateForCheckout(deps, ada, { shippingAddress: berlin });
    const order = {
      orderId: "o-1",
      userId: "ada",
      cartId: "u-ada",
      cartVersion: snapshot.cartVersion,
      promotionCodes: ["SAVE10"],
    };
    await recordPlacedOrder(deps, ada, order);
    expect((await promotions.findByCode(acme, "SAVE10"))?.redemptionCount).toBe(1);
    clock.advance(60 * 60_000);
    expect(codesOf(await validateForCheckout(deps, bob, { shippingAddress: berlin }))).toEqual([]);
    await giveBackRedemptions(deps, ada, "o-1");
    await applyPromotion(deps, bob, { guestCartId: "", code: "SAVE10", idempotencyKey: key() });
    expect(codesOf(await validateForCheckout(deps, bob, { shippingAddress: berlin }))).toEqual(["SAVE10"]);
  });

  it("when a customer's limit is held on one cart, then it holds per user as well", async () => {
    const { deps, redemptions } = await adaReadyToPay({ maxRedemptionsPerUser: 1 });
    const { snapshot } = await validateForCheckout(deps, ada, { shippingAddress: berlin });
    expect(codesOf({ snapshot })).toEqual(["SAVE10"]);
    // Another cart of ada's (the port counts by user; one cart per user today) finds her use held.
    const refused = await redemptions.hold({
      tenantId: acme,
      cartId: "u-ada-2",
      cartVersion: 1,
      userId: "ada",
      codes: [{ code: "SAVE10", maxRedemptions: 0, maxRedemptionsPerUser: 1 }],
      now: at,
      expiresAt: snapshot.expiresAt,
    });
    expect(refused).toEqual([{ code: "SAVE10", reason: "user_limit" }]);
    // bob has a use of his own.
    await addItem(deps, bob, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    await applyPromotion(deps, bob, { guestCartId: "", code: "SAVE10", idempotencyKey: key() });
    expect(codesOf(await validateForCheckout(deps, bob, { shippingAddress: berlin }))).toEqual(["SAVE10"]);
  });
});

describe("GetCheckoutSnapshot", () => {
  it("when the cart changed, the snapshot expired, or it is not the caller's cart, then it is refused", async () => {
    const { deps, clock } = await adaReadyToPay();
    const { snapshot } = await validateForCheckout(deps, ada, { shippingAddress: berlin });
    const get = (ctx = ada, cartId = "u-ada", cartVersion = snapshot.cartVersion) =>
      rejection(getCheckoutSnapshot(deps, ctx, { cartId, cartVersion }));
    expect((await get(signedIn("acme", "bob"))).kind).toBe("permission_denied");
    expect((await get(signedIn("globex", "ada"))).code).toBe("CART.NOT_FOUND");
    expect((await get(ada, "u-nobody")).code).toBe("CART.NOT_FOUND");
    expect((await get(ada, "u-ada", snapshot.cartVersion - 1)).code).toBe("CART.VERSION_STALE");
    expect((await get(anonymous("acme"))).kind).toBe("unauthenticated");

    clock.advance(30 * 60_000);
    expect((await get()).code).toBe("CART.VERSION_STALE");

    const again = await validateForCheckout(deps, ada, { shippingAddress: berlin });
    expect((await getCheckoutSnapshot(deps, ada, { cartId: "u-ada", cartVersion: again.snapshot.cartVersion })).totalMinor).toBe(
      5726,
    );
    await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    expect((await get(ada, "u-ada", again.snapshot.cartVersion)).code).toBe("CART.VERSION_STALE");
  });
});

describe("order events", () => {
  it("when an order is created twice and cancelled twice, then the redemption counts once and is given back once", async () => {
    const { deps, promotions } = await adaReadyToPay({ maxRedemptions: 1 });
    const order = { orderId: "o-1", userId: "ada", cartId: "u-ada", cartVersion: 3, promotionCodes: ["SAVE10", "save10"] };
    expect(await recordPlacedOrder(deps, ada, order)).toBe(true);
    expect(await recordPlacedOrder(deps, ada, order)).toBe(false);
    expect((await promotions.findByCode(acme, "SAVE10"))?.redemptionCount).toBe(1);
    expect(await promotions.userRedemptions(acme, "SAVE10", "ada")).toBe(1);
    // The total limit now holds: another customer cannot apply it.
    const bob = signedIn("acme", "bob");
    await addItem(deps, bob, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    const exhausted = await rejection(applyPromotion(deps, bob, { guestCartId: "", code: "SAVE10", idempotencyKey: key() }));
    expect(exhausted.code).toBe("CART.PROMOTION_EXHAUSTED");

    expect(await giveBackRedemptions(deps, ada, "o-1")).toBe(true);
    expect(await giveBackRedemptions(deps, ada, "o-1")).toBe(false);
    expect(await giveBackRedemptions(deps, ada, "o-unknown")).toBe(false);
    expect((await promotions.findByCode(acme, "SAVE10"))?.redemptionCount).toBe(0);
    expect(await promotions.userRedemptions(acme, "SAVE10", "ada")).toBe(0);
    await applyPromotion(deps, bob, { guestCartId: "", code: "SAVE10", idempotencyKey: key() });
  });

  it("when the order is confirmed, then the cart is cleared only if it is still at the ordered version", async () => {
    const { deps } = await adaReadyToPay();
    const { snapshot } = await validateForCheckout(deps, ada, { shippingAddress: berlin });
    const placed = { userId: "ada", cartId: "u-ada", cartVersion: snapshot.cartVersion, promotionCodes: ["SAVE10"] };
    await recordPlacedOrder(deps, ada, { ...placed, orderId: "o-1" });
    await recordPlacedOrder(deps, ada, { ...placed, orderId: "o-2" });
    expect(await clearOrderedCart(deps, ada, "o-unknown")).toBe("unknown_order");
    expect(await clearOrderedCart(deps, ada, "o-1")).toBe("cleared");
    expect((await getCart(deps, ada, { guestCartId: "" })).lines).toEqual([]);
    // A second confirmation (or another order of the same version) finds the version moved on.
    expect(await clearOrderedCart(deps, ada, "o-1")).toBe("cart_changed");

    await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    const next = await validateForCheckout(deps, ada, { shippingAddress: berlin });
    await recordPlacedOrder(deps, ada, { ...placed, orderId: "o-3", cartVersion: next.snapshot.cartVersion });
    await addItem(deps, ada, { guestCartId: "", sku: "SKU-B", quantity: 1, idempotencyKey: key() });
    expect(await clearOrderedCart(deps, ada, "o-3")).toBe("cart_changed");
    expect((await getCart(deps, ada, { guestCartId: "" })).lines.map((l) => l.sku)).toEqual(["SKU-A", "SKU-B"]);
  });
});

describe("the database is the source of truth", () => {
  it("when the store hands out a copy the database does not have, then the change is made on the database's cart", async () => {
    const { deps, carts } = cartFixture();
    await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    // A cache in front answers once with a cart the database never had (version 7, SKU-B).
    let stale = true;
    const cached: CartRepository = {
      find: async (tenantId, cartId) => {
        const real = await carts.find(tenantId, cartId);
        if (!stale || !real) return real;
        stale = false;
        const s = real.snapshot();
        return Cart.restore({ ...s, version: 7, lines: [{ ...(s.lines[0] as (typeof s.lines)[0]), sku: "SKU-B", quantity: 5 }] });
      },
      save: (cart, options) => carts.save(cart, options),
      findAnswer: (...args) => carts.findAnswer(...args),
    };
    const view = await addItem({ ...deps, carts: cached }, ada, {
      guestCartId: "",
      sku: "SKU-A",
      quantity: 2,
      idempotencyKey: key(),
    });
    expect(view.lines.map((l) => [l.sku, l.quantity])).toEqual([["SKU-A", 3]]);
    expect(view.version).toBe(2);
  });

  it("when checkout meets a copy the database does not have, then it validates the database's cart", async () => {
    const { deps, carts } = cartFixture();
    await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    let stale = true;
    const cached: CartRepository = {
      find: async (tenantId, cartId) => {
        const real = await carts.find(tenantId, cartId);
        if (!stale || !real) return real;
        stale = false;
        return Cart.restore({ ...real.snapshot(), version: 7 });
      },
      save: (cart, options) => carts.save(cart, options),
      findAnswer: (...args) => carts.findAnswer(...args),
    };
    const { snapshot } = await validateForCheckout({ ...deps, carts: cached }, ada, { shippingAddress: berlin });
    expect(snapshot.cartVersion).toBe(2);
    expect(await getCheckoutSnapshot(deps, ada, { cartId: "u-ada", cartVersion: 2 })).toEqual(snapshot);
  });
});
