import { describe, expect, it } from "vitest";
import type { CheckoutSnapshot, CheckoutSnapshotRepository } from "../../../core/cart/checkout-snapshot.ts";
import type {
  LimitedCode,
  OrderRedemption,
  RedemptionHoldRequest,
  RedemptionLedger,
} from "../../../core/cart/order-redemptions.ts";
import { createPromotion, disablePromotion, type PromotionDefinition } from "../../../core/cart/promotion.ts";
import type { PromotionCreation, PromotionRepository } from "../../../core/cart/promotion-repository.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { domainFailure } from "../../support/domain-failure.ts";

export interface CheckoutStoresHarness {
  readonly promotions: PromotionRepository;
  readonly snapshots: CheckoutSnapshotRepository;
  readonly redemptions: RedemptionLedger;
  dispose(): Promise<void>;
}

const acme = "acme" as TenantId;
const globex = "globex" as TenantId;
const t0 = new Date("2026-11-10T12:00:00.000Z");

const aSnapshot = (tenantId: TenantId, cartVersion: number, overrides: Partial<CheckoutSnapshot> = {}): CheckoutSnapshot => ({
  tenantId,
  cartId: "u-ada",
  cartVersion,
  userId: "ada",
  currency: "EUR",
  lines: [
    {
      sku: "SKU-A",
      productId: "p-a",
      productName: "Ä product “quoted”",
      imageUrl: "",
      quantity: 2,
      unitPriceMinor: 1999,
      subtotalMinor: 3998,
      discountMinor: 400,
      taxMinor: 684,
      totalMinor: 4282,
      taxClass: "standard",
      maxQuantity: 10,
    },
  ],
  promotions: [{ code: "SAVE10", description: "10% off", discountMinor: 400 }],
  subtotalMinor: 3998,
  discountTotalMinor: 400,
  taxTotalMinor: 684,
  totalMinor: 4282,
  shippingAddress: {
    recipientName: "Ada",
    addressLines: ["Unter den Linden 1", "Hof 2"],
    locality: "Berlin",
    administrativeArea: "BE",
    postalCode: "10117",
    countryCode: "DE",
    phoneNumber: "+4930123456",
  },
  unavailableSkus: [],
  createdAt: t0,
  expiresAt: new Date(t0.getTime() + 30 * 60_000),
  ...overrides,
});

const definition = (code: string): PromotionDefinition => ({
  code,
  description: code,
  benefit: { kind: "percentage_off", basisPoints: 1000 },
  eligibleSkus: [],
  minimumSubtotalMinor: 0,
  startsAt: undefined,
  endsAt: undefined,
  maxRedemptions: 5,
  maxRedemptionsPerUser: 1,
  stackable: false,
});
const creation = (n: string): PromotionCreation => ({ keyHash: n.padEnd(64, "0"), fingerprint: "f".repeat(64) });
const anOrder = (tenantId: TenantId, orderId: string, userId: string, codes: string[]): OrderRedemption => ({
  tenantId,
  orderId,
  userId,
  cartId: `u-${userId}`,
  cartVersion: 4,
  codes,
  returned: false,
  createdAt: t0,
});

const limited = (code: string, maxRedemptions: number, maxRedemptionsPerUser = 0): LimitedCode => ({
  code,
  maxRedemptions,
  maxRedemptionsPerUser,
});
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
/** A hold for the user's cart `u-<user>` at version 4, made at t0 + `at` minutes, for 30 minutes. */
const aHold = (
  tenantId: TenantId,
  userId: string,
  codes: LimitedCode[],
  at = 0,
  cartId = `u-${userId}`,
): RedemptionHoldRequest => ({
  tenantId,
  cartId,
  cartVersion: 4,
  userId,
  codes,
  now: minutes(at),
  expiresAt: minutes(at + 30),
});

/** What every checkout snapshot store and redemption ledger must do (with the promotion store of the same backend). */
export function checkoutStoresContract(name: string, open: () => Promise<CheckoutStoresHarness>) {
  describe(`checkout snapshot store and redemption ledger: ${name}`, () => {
    it("when a snapshot is put, then it is found at its version only, in its tenant only, and never replaced", async () => {
      const h = await open();
      try {
        const snapshot = aSnapshot(acme, 4);
        await h.snapshots.put(snapshot);
        expect(await h.snapshots.find(acme, "u-ada", 4)).toEqual(snapshot);
        expect(await h.snapshots.find(acme, "u-ada", 3)).toBeUndefined();
        expect(await h.snapshots.find(globex, "u-ada", 4)).toBeUndefined();
        expect((await domainFailure(h.snapshots.put({ ...snapshot, totalMinor: 1 }))).code).toBe("CART.SNAPSHOT_TAKEN");
        expect(await h.snapshots.find(acme, "u-ada", 4)).toEqual(snapshot);
        const next = aSnapshot(acme, 6, { totalMinor: 9 });
        await h.snapshots.put(next);
        expect(await h.snapshots.find(acme, "u-ada", 6)).toEqual(next);
        expect(await h.snapshots.find(acme, "u-ada", 4)).toBeUndefined();
      } finally {
        await h.dispose();
      }
    });

    it("when an order is recorded twice and given back twice, then counts move once each way, per tenant and user", async () => {
      const h = await open();
      try {
        await h.promotions.add(createPromotion(acme, "p-1", definition("SAVE10"), t0), creation("a"));
        await h.promotions.add(createPromotion(acme, "p-2", definition("MORE"), t0), creation("b"));
        await h.promotions.add(createPromotion(globex, "p-1", definition("SAVE10"), t0), creation("a"));
        const order = anOrder(acme, "o-1", "ada", ["SAVE10", "MORE"]);
        expect(await h.redemptions.record(order)).toBe(true);
        expect(await h.redemptions.record({ ...order, codes: ["SAVE10"] })).toBe(false);
        expect(await h.redemptions.record(anOrder(acme, "o-2", "bob", ["SAVE10"]))).toBe(true);
        expect(await h.redemptions.find(acme, "o-1")).toEqual(order);
        expect(await h.redemptions.find(globex, "o-1")).toBeUndefined();
        expect((await h.promotions.findByCode(acme, "SAVE10"))?.redemptionCount).toBe(2);
        expect((await h.promotions.findByCode(acme, "MORE"))?.redemptionCount).toBe(1);
        expect((await h.promotions.findByCode(globex, "SAVE10"))?.redemptionCount).toBe(0);
        expect(await h.promotions.userRedemptions(acme, "SAVE10", "ada")).toBe(1);
        expect(await h.promotions.userRedemptions(acme, "SAVE10", "bob")).toBe(1);
        expect(await h.promotions.userRedemptions(globex, "SAVE10", "ada")).toBe(0);

        // Disabling after redemptions keeps the count (status-only update).
        const disabled = disablePromotion((await h.promotions.findByCode(acme, "MORE"))!, t0);
        await h.promotions.update(disabled);
        expect((await h.promotions.findByCode(acme, "MORE"))?.redemptionCount).toBe(1);

        expect(await h.redemptions.giveBack(acme, "o-1")).toBe(true);
        expect(await h.redemptions.giveBack(acme, "o-1")).toBe(false);
        expect(await h.redemptions.giveBack(globex, "o-2")).toBe(false);
        expect(await h.redemptions.giveBack(acme, "o-none")).toBe(false);
        expect((await h.redemptions.find(acme, "o-1"))?.returned).toBe(true);
        expect((await h.promotions.findByCode(acme, "SAVE10"))?.redemptionCount).toBe(1);
        expect((await h.promotions.findByCode(acme, "MORE"))?.redemptionCount).toBe(0);
        expect(await h.promotions.userRedemptions(acme, "SAVE10", "ada")).toBe(0);
        expect(await h.promotions.userRedemptions(acme, "SAVE10", "bob")).toBe(1);
      } finally {
        await h.dispose();
      }
    });

    it("when carts hold a code, then holds count with redemptions, once per cart, until they expire or are released", async () => {
      const h = await open();
      try {
        await h.promotions.add(createPromotion(acme, "p-1", definition("TWO"), t0), creation("a"));
        await h.promotions.add(createPromotion(globex, "p-1", definition("TWO"), t0), creation("a"));
        const two = [limited("TWO", 2)];
        expect(await h.redemptions.hold(aHold(acme, "ada", two))).toEqual([]);
        // The same cart again (a newer snapshot) moves its hold, it does not take a second one.
        expect(await h.redemptions.hold({ ...aHold(acme, "ada", two, 1), cartVersion: 6 })).toEqual([]);
        expect(await h.redemptions.hold(aHold(acme, "bob", two, 2))).toEqual([]);
        expect(await h.redemptions.hold(aHold(acme, "cyd", two, 3))).toEqual([{ code: "TWO", reason: "exhausted" }]);
        // Another tenant's code of the same name is untouched.
        expect(await h.redemptions.hold(aHold(globex, "cyd", two, 3))).toEqual([]);

        // ada orders her snapshot: the hold becomes a redemption, the uses stay at two.
        await h.redemptions.record({ ...anOrder(acme, "o-1", "ada", ["TWO"]), cartVersion: 6 });
        expect((await h.promotions.findByCode(acme, "TWO"))?.redemptionCount).toBe(1);
        expect(await h.redemptions.hold(aHold(acme, "cyd", two, 4))).toEqual([{ code: "TWO", reason: "exhausted" }]);
        // ada's next snapshot needs a use of its own: the converted hold is gone.
        expect(await h.redemptions.hold({ ...aHold(acme, "ada", two, 5), cartVersion: 8 })).toEqual([
          { code: "TWO", reason: "exhausted" },
        ]);

        // bob's hold (made at minute 2) ends at minute 32: at minute 32 it counts no more.
        expect(await h.redemptions.hold(aHold(acme, "cyd", two, 31))).toEqual([{ code: "TWO", reason: "exhausted" }]);
        expect(await h.redemptions.hold(aHold(acme, "cyd", two, 32))).toEqual([]);
        // cyd's newer snapshot without the code releases the hold: bob takes it again.
        expect(await h.redemptions.hold(aHold(acme, "bob", two, 33))).toEqual([{ code: "TWO", reason: "exhausted" }]);
        expect(await h.redemptions.hold(aHold(acme, "cyd", [], 34))).toEqual([]);
        expect(await h.redemptions.hold(aHold(acme, "bob", two, 35))).toEqual([]);
        // ada's order cancelled: its use is given back, and dan fits.
        expect(await h.redemptions.giveBack(acme, "o-1")).toBe(true);
        expect(await h.redemptions.hold(aHold(acme, "dan", two, 36))).toEqual([]);
      } finally {
        await h.dispose();
      }
    });

    it("when one customer holds a code on one cart, then the per-user limit counts it on another, and redemptions too", async () => {
      const h = await open();
      try {
        await h.promotions.add(createPromotion(acme, "p-1", definition("ONCE"), t0), creation("a"));
        const once = [limited("ONCE", 0, 1), limited("FREE", 0)];
        expect(await h.redemptions.hold(aHold(acme, "ada", once))).toEqual([]);
        expect(await h.redemptions.hold(aHold(acme, "ada", once, 1, "g-other"))).toEqual([
          { code: "ONCE", reason: "user_limit" },
        ]);
        expect(await h.redemptions.hold(aHold(acme, "bob", once, 1))).toEqual([]);
        await h.redemptions.record({ ...anOrder(acme, "o-1", "ada", ["ONCE"]), cartVersion: 4 });
        expect(await h.redemptions.hold({ ...aHold(acme, "ada", once, 2), cartVersion: 5 })).toEqual([
          { code: "ONCE", reason: "user_limit" },
        ]);
        await h.redemptions.giveBack(acme, "o-1");
        expect(await h.redemptions.hold({ ...aHold(acme, "ada", once, 3), cartVersion: 6 })).toEqual([]);
      } finally {
        await h.dispose();
      }
    });

    it("when 20 carts hold the last use at once, then exactly one gets it", async () => {
      const h = await open();
      try {
        await h.promotions.add(createPromotion(acme, "p-1", definition("LAST"), t0), creation("a"));
        const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);
        const outcomes = await Promise.all(users.map((u) => h.redemptions.hold(aHold(acme, u, [limited("LAST", 1)]))));
        expect(outcomes.filter((refused) => refused.length === 0)).toHaveLength(1);
      } finally {
        await h.dispose();
      }
    });
  });
}
