import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Cart, type CartLimits } from "../../../core/cart/cart.ts";
import type { CartAnswerRecord } from "../../../core/cart/cart-idempotency.ts";
import type { CartRepository } from "../../../core/cart/cart-repository.ts";
import type { SkuPrice } from "../../../core/cart/price-source.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { domainFailure } from "../../support/domain-failure.ts";

export interface CartRepositoryHarness {
  readonly repository: CartRepository;
  dispose(): Promise<void>;
}

export const contractNow = new Date();
const later = new Date(contractNow.getTime() + 1_000);
const limits: CartLimits = { maxQuantityPerLine: 99, maxLines: 100, ttlMs: 24 * 60 * 60_000 };
const acme = "acme" as TenantId;
const globex = "globex" as TenantId;

export const aPrice = (sku: string, unitPriceMinor: number): SkuPrice => ({
  sku,
  productId: `product-${sku}`,
  productName: `Product ${sku}`,
  imageUrl: "",
  unitPriceMinor,
  currency: "EUR",
  taxClass: "standard",
  purchasable: true,
});

/** A user's cart with one line, not stored yet. */
export function aUserCart(tenantId: TenantId, userId: string): Cart {
  const cart = Cart.open(tenantId, `u-${userId}`, userId, contractNow, limits);
  cart.addItem(aPrice("SKU-A", 1999), 2, 100, "EUR", limits, contractNow);
  return cart;
}

const anAnswer = (scope: string, keyHash = "a".repeat(64)): CartAnswerRecord => ({
  scope,
  keyHash,
  fingerprint: "f".repeat(64),
  response: '{"cartId":"x"}',
  createdAt: contractNow,
});

/** The behaviour every CartRepository adapter must show, whatever stores it. */
export function cartRepositoryContract(name: string, open: () => Promise<CartRepositoryHarness>): void {
  describe(`CartRepository contract: ${name}`, () => {
    let harness: CartRepositoryHarness;
    beforeEach(async () => {
      harness = await open();
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it("when a cart is saved with its answer, then both are found again, in that tenant only", async () => {
      const { repository } = harness;
      const cart = aUserCart(acme, "ada");
      await repository.save(cart, { answer: anAnswer("add_item:u-ada") });
      expect((await repository.find(acme, "u-ada"))?.snapshot()).toEqual(cart.snapshot());
      expect(await repository.find(globex, "u-ada")).toBeUndefined();
      expect(await repository.findAnswer(acme, "add_item:u-ada", "a".repeat(64))).toEqual(anAnswer("add_item:u-ada"));
      expect(await repository.findAnswer(globex, "add_item:u-ada", "a".repeat(64))).toBeUndefined();
    });

    it("when a cart changes, then the new version is stored; a save from a stale copy is ABORTED and changes nothing", async () => {
      const { repository } = harness;
      await repository.save(aUserCart(acme, "ada"));
      const first = await repository.find(acme, "u-ada");
      const second = await repository.find(acme, "u-ada");
      if (!first || !second) throw new Error("cart not found");
      first.addItem(aPrice("SKU-B", 500), 1, 100, "EUR", limits, later);
      await repository.save(first);
      second.clear(limits, later);
      const error = await domainFailure(repository.save(second, { answer: anAnswer("clear_cart:u-ada") }));
      expect(error.kind).toBe("conflict");
      const stored = await repository.find(acme, "u-ada");
      expect(stored?.version).toBe(2);
      expect(stored?.lines.map((l) => [l.sku, l.quantity])).toEqual([
        ["SKU-A", 2],
        ["SKU-B", 1],
      ]);
      expect(await repository.findAnswer(acme, "clear_cart:u-ada", "a".repeat(64))).toBeUndefined();
    });

    it("when two new carts race for the same id, then the second is ABORTED", async () => {
      const { repository } = harness;
      await repository.save(aUserCart(acme, "ada"));
      expect((await domainFailure(repository.save(aUserCart(acme, "ada")))).kind).toBe("conflict");
    });

    it("when an answer key is stored twice, then the second is ALREADY_EXISTS and its cart change is not kept", async () => {
      const { repository } = harness;
      await repository.save(aUserCart(acme, "ada"), { answer: anAnswer("add_item:u-ada") });
      const cart = await repository.find(acme, "u-ada");
      if (!cart) throw new Error("cart not found");
      cart.clear(limits, later);
      expect((await domainFailure(repository.save(cart, { answer: anAnswer("add_item:u-ada") }))).kind).toBe("already_exists");
      expect((await repository.find(acme, "u-ada"))?.version).toBe(1);
    });

    it("when nothing changed but an answer is given, then only the answer is stored", async () => {
      const { repository } = harness;
      await repository.save(aUserCart(acme, "ada"));
      const cart = await repository.find(acme, "u-ada");
      if (!cart) throw new Error("cart not found");
      await repository.save(cart, { answer: anAnswer("clear_cart:u-ada", "b".repeat(64)) });
      expect(await repository.findAnswer(acme, "clear_cart:u-ada", "b".repeat(64))).toBeDefined();
      expect((await repository.find(acme, "u-ada"))?.version).toBe(1);
    });

    it("when a guest cart is merged, then the user's cart and the guest cart's removal commit together", async () => {
      const { repository } = harness;
      const guest = Cart.openGuest(acme, "g-1", contractNow, limits);
      await repository.save(guest);
      const storedGuest = await repository.find(acme, "g-1");
      if (!storedGuest) throw new Error("guest cart not found");
      const user = aUserCart(acme, "ada");
      user.absorb(storedGuest, new Map(), limits, later);
      await repository.save(user, { removing: storedGuest });
      expect(await repository.find(acme, "g-1")).toBeUndefined();
      expect((await repository.find(acme, "u-ada"))?.snapshot()).toEqual(user.snapshot());
    });

    it("when the guest cart changed before the merge saved, then the merge is ABORTED and the user's cart unchanged", async () => {
      const { repository } = harness;
      await repository.save(Cart.openGuest(acme, "g-2", contractNow, limits));
      const staleGuest = await repository.find(acme, "g-2");
      const freshGuest = await repository.find(acme, "g-2");
      if (!staleGuest || !freshGuest) throw new Error("guest cart not found");
      freshGuest.addItem(aPrice("SKU-B", 500), 1, 100, "EUR", limits, later);
      await repository.save(freshGuest);
      const user = aUserCart(acme, "bob");
      expect((await domainFailure(repository.save(user, { removing: staleGuest }))).kind).toBe("conflict");
      expect(await repository.find(acme, "u-bob")).toBeUndefined();
      expect((await repository.find(acme, "g-2"))?.version).toBe(2);
    });
  });
}
