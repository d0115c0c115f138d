import { describe, expect, it } from "vitest";
import type { CheckoutSnapshot, CheckoutSnapshotRepository } from "../../../core/cart/checkout-snapshot.ts";
import type { OrderRedemption, RedemptionLedger } from "../../../core/cart/order-redemptions.ts";
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
  });
}
