import { describe, expect, it } from "vitest";
import {
  addItem,
  applyPromotion,
  clearCart,
  createGuestCart,
  getCart,
  mergeGuestCart,
  removeItem,
  removePromotion,
  updateItemQuantity,
} from "../../../core/cart/cart-commands.ts";
import { createPromotion } from "../../../core/cart/promotion.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { anonymous, at, cartFixture, key, rejection, signedIn } from "./support/cart-fixture.ts";

const ada = signedIn("acme", "ada");

describe("cart commands", () => {
  it("when a signed-in customer adds items, then the cart is created with the lines and totals", async () => {
    const { deps } = cartFixture();
    await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 2, idempotencyKey: key() });
    const cart = await addItem(deps, ada, { guestCartId: "", sku: "SKU-B", quantity: 3, idempotencyKey: key() });
    expect(cart.cartId).toBe("u-ada");
    expect(cart.version).toBe(2);
    expect(cart.lines.map((l) => [l.sku, l.quantity, l.subtotalMinor, l.maxQuantity])).toEqual([
      ["SKU-A", 2, 3998, 10],
      ["SKU-B", 3, 1500, 99],
    ]);
    expect(cart.subtotalMinor).toBe(5498);
    expect(cart.totalMinor).toBe(5498);
    expect(cart.itemCount).toBe(5);
    expect(await getCart(deps, ada, { guestCartId: "" })).toEqual(cart);
  });

  it("when a mutating call is retried with its key, then the first answer returns and nothing changes", async () => {
    const { deps } = cartFixture();
    const k = key();
    const first = await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: k });
    const again = await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: k });
    expect(again).toEqual(first);
    expect((await getCart(deps, ada, { guestCartId: "" })).lines[0]?.quantity).toBe(1);
    const reused = await rejection(addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 2, idempotencyKey: k }));
    expect(reused.code).toBe("CART.IDEMPOTENCY_KEY_REUSED");
    expect(reused.field).toBe("idempotency_key");
  });

  it("when every mutating command is retried, then the cart version does not move", async () => {
    const { deps, promotions } = cartFixture();
    promotions.put(createPromotion("acme" as TenantId, "p1", { ...tenPercent, code: "SAVE10" }, at));
    const calls = [
      (k: string) => addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: k }),
      (k: string) => addItem(deps, ada, { guestCartId: "", sku: "SKU-B", quantity: 1, idempotencyKey: k }),
      (k: string) => updateItemQuantity(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 3, idempotencyKey: k }),
      (k: string) => applyPromotion(deps, ada, { guestCartId: "", code: "save10", idempotencyKey: k }),
      (k: string) => removePromotion(deps, ada, { guestCartId: "", code: "SAVE10", idempotencyKey: k }),
      (k: string) => removeItem(deps, ada, { guestCartId: "", sku: "SKU-B", idempotencyKey: k }),
      (k: string) => clearCart(deps, ada, { guestCartId: "", idempotencyKey: k }),
    ];
    for (const call of calls) {
      const k = key();
      const first = await call(k);
      expect(await call(k)).toEqual(first);
      expect((await getCart(deps, ada, { guestCartId: "" })).version).toBe(first.version);
    }
  });

  it.each([
    ["a quantity above the per-line maximum", "SKU-B", 100, "CART.ABOVE_LINE_MAXIMUM"],
    ["a quantity above availability", "SKU-A", 11, "CART.ABOVE_AVAILABILITY"],
    ["an unknown SKU", "SKU-NOPE", 1, "CART.SKU_NOT_FOUND"],
    ["a product no longer sold", "SKU-OLD", 1, "CART.NOT_PURCHASABLE"],
    ["a negative quantity", "SKU-A", -1, "INVALID_ARGUMENT"],
  ])("when adding %s, then it is refused and nothing changes", async (_name, sku, quantity, code) => {
    const { deps } = cartFixture();
    await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    const error = await rejection(addItem(deps, ada, { guestCartId: "", sku, quantity, idempotencyKey: key() }));
    expect(error.code).toBe(code);
    const cart = await getCart(deps, ada, { guestCartId: "" });
    expect(cart.version).toBe(1);
    expect(cart.lines.map((l) => [l.sku, l.quantity])).toEqual([["SKU-A", 1]]);
  });

  it("when the cart holds its maximum of lines, then a new SKU is refused but existing lines still grow", async () => {
    const { deps } = cartFixture({ maxLines: 1 });
    await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    expect(
      (await rejection(addItem(deps, ada, { guestCartId: "", sku: "SKU-B", quantity: 1, idempotencyKey: key() }))).code,
    ).toBe("CART.FULL");
    const cart = await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    expect(cart.lines[0]?.quantity).toBe(2);
  });

  it("when lines are updated, removed and cleared, then not-found lines are named", async () => {
    const { deps } = cartFixture();
    await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    expect(
      (await rejection(updateItemQuantity(deps, ada, { guestCartId: "", sku: "SKU-B", quantity: 1, idempotencyKey: key() })))
        .code,
    ).toBe("CART.LINE_NOT_FOUND");
    const updated = await updateItemQuantity(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 4, idempotencyKey: key() });
    expect(updated.lines[0]?.quantity).toBe(4);
    expect(await rejection(removeItem(deps, ada, { guestCartId: "", sku: "SKU-B", idempotencyKey: key() }))).toMatchObject({
      code: "CART.LINE_NOT_FOUND",
      kind: "not_found",
    });
    const cleared = await clearCart(deps, ada, { guestCartId: "", idempotencyKey: key() });
    expect(cleared.lines).toEqual([]);
    expect(cleared.version).toBe(3);
  });

  it("when catalog is down, then the cart still reads with stored prices flagged stale, and adding is UNAVAILABLE", async () => {
    const { deps, prices } = cartFixture();
    await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 2, idempotencyKey: key() });
    prices.down = true;
    const cart = await getCart(deps, ada, { guestCartId: "" });
    expect(cart.pricesStale).toBe(true);
    expect(cart.subtotalMinor).toBe(3998);
    expect(
      (await rejection(addItem(deps, ada, { guestCartId: "", sku: "SKU-B", quantity: 1, idempotencyKey: key() }))).kind,
    ).toBe("unavailable");
  });

  it("when a guest fills a cart and logs in, then the lines merge into the user's cart, capped, and the guest cart is gone", async () => {
    const { deps } = cartFixture();
    const guest = anonymous("acme");
    const { cartId } = await createGuestCart(deps, guest);
    await addItem(deps, guest, { guestCartId: cartId, sku: "SKU-A", quantity: 8, idempotencyKey: key() });
    await addItem(deps, guest, { guestCartId: cartId, sku: "SKU-B", quantity: 2, idempotencyKey: key() });
    await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 5, idempotencyKey: key() });
    const k = key();
    const merged = await mergeGuestCart(deps, ada, { guestCartId: cartId, idempotencyKey: k });
    expect(merged.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ["SKU-A", 10],
      ["SKU-B", 2],
    ]);
    expect(await mergeGuestCart(deps, ada, { guestCartId: cartId, idempotencyKey: k })).toEqual(merged);
    expect((await rejection(getCart(deps, guest, { guestCartId: cartId }))).kind).toBe("not_found");
    expect((await rejection(mergeGuestCart(deps, ada, { guestCartId: cartId, idempotencyKey: key() }))).kind).toBe("not_found");
  });

  it("when a guest cart is left untouched past its TTL, then it is not found", async () => {
    const { deps, clock } = cartFixture({ ttlMs: 60_000 });
    const guest = anonymous("acme");
    const { cartId } = await createGuestCart(deps, guest);
    clock.advance(59_999);
    await addItem(deps, guest, { guestCartId: cartId, sku: "SKU-A", quantity: 1, idempotencyKey: key() });
    clock.advance(59_999);
    expect((await getCart(deps, guest, { guestCartId: cartId })).itemCount).toBe(1);
    clock.advance(1);
    expect((await rejection(getCart(deps, guest, { guestCartId: cartId }))).code).toBe("CART.NOT_FOUND");
  });

  it("when another tenant names a guest cart, then it is not found and unchanged", async () => {
    const { deps } = cartFixture();
    const { cartId } = await createGuestCart(deps, anonymous("acme"));
    const other = anonymous("globex");
    expect((await rejection(getCart(deps, other, { guestCartId: cartId }))).kind).toBe("not_found");
    expect(
      (await rejection(addItem(deps, other, { guestCartId: cartId, sku: "SKU-A", quantity: 1, idempotencyKey: key() }))).kind,
    ).toBe("not_found");
    expect((await getCart(deps, anonymous("acme"), { guestCartId: cartId })).version).toBe(1);
    expect((await getCart(deps, signedIn("globex", "ada"), { guestCartId: "" })).lines).toEqual([]);
  });

  it("when promotions are applied, then expired, unknown and non-stackable codes are refused with their reason", async () => {
    const { deps, promotions } = cartFixture();
    const acme = "acme" as TenantId;
    promotions.put(createPromotion(acme, "p1", { ...tenPercent, code: "SAVE10" }, at));
    promotions.put(createPromotion(acme, "p2", { ...tenPercent, code: "OLD", endsAt: new Date(at.getTime() - 1) }, at));
    promotions.put(createPromotion(acme, "p3", { ...tenPercent, code: "MORE" }, at));
    await addItem(deps, ada, { guestCartId: "", sku: "SKU-A", quantity: 2, idempotencyKey: key() });
    const apply = (code: string) => applyPromotion(deps, ada, { guestCartId: "", code, idempotencyKey: key() });
    expect((await rejection(apply("NOPE"))).code).toBe("CART.PROMOTION_NOT_FOUND");
    expect((await rejection(apply("old"))).code).toBe("CART.PROMOTION_ENDED");
    const cart = await apply("save10");
    expect(cart.promotions).toEqual([{ code: "SAVE10", description: "10% off", discountMinor: 400 }]);
    expect(cart.totalMinor).toBe(3598);
    expect((await rejection(apply("MORE"))).code).toBe("CART.PROMOTION_NOT_STACKABLE");
  });
});

const tenPercent = {
  code: "X",
  description: "10% off",
  benefit: { kind: "percentage_off" as const, basisPoints: 1000 },
  eligibleSkus: [],
  minimumSubtotalMinor: 0,
  startsAt: undefined,
  endsAt: undefined,
  maxRedemptions: 0,
  maxRedemptionsPerUser: 0,
  stackable: false,
};
