import { describe, expect, it } from "vitest";
import { MemoryAvailabilitySource } from "../../../adapters/memory/cart/memory-availability-source.ts";
import { MemoryPriceSource } from "../../../adapters/memory/cart/memory-price-source.ts";
import { cartEntities } from "../../../adapters/mikro-orm/cart/cart-record.ts";
import { addItem, applyPromotion } from "../../../core/cart/cart-commands.ts";
import { type CartDeps, DEFAULT_CART_POLICY } from "../../../core/cart/cart-deps.ts";
import { validateForCheckout } from "../../../core/cart/checkout.ts";
import type { ShippingAddress } from "../../../core/cart/checkout-snapshot.ts";
import { createPromotion } from "../../../core/cart/promotion.ts";
import { fixedClock } from "../../../core/kit/clock.ts";
import { sequentialIds } from "../../../core/kit/ids.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { cartSqlStores } from "../../../services/cart/cart-sql-stores.ts";
import { openSqlTestDatabase } from "../../support/sql-test-database.ts";

const acme = parseTenantId("acme");
const now = new Date("2026-11-10T12:00:00.000Z");
const address: ShippingAddress = {
  recipientName: "A",
  addressLines: ["Street 1"],
  locality: "Berlin",
  administrativeArea: "",
  postalCode: "10117",
  countryCode: "DE",
  phoneNumber: "",
};
const customer = (userId: string): RequestContext => ({
  tenantId: acme,
  caller: { userId, roles: ["customer"] },
  correlationId: "contention",
  signal: new AbortController().signal,
});

describe("usage limits under concurrent checkouts (MariaDB)", () => {
  it("when 20 customers validate carts holding a code with one use left at once, then exactly one snapshot keeps it", async () => {
    const db = await openSqlTestDatabase("mariadb", "cart_contention", cartEntities);
    try {
      const prices = new MemoryPriceSource();
      const availability = new MemoryAvailabilitySource();
      prices.set("acme", {
        sku: "SKU-A",
        productId: "p-a",
        productName: "A",
        imageUrl: "",
        unitPriceMinor: 1000,
        currency: "EUR",
        taxClass: "standard",
        purchasable: true,
      });
      availability.set("acme", "SKU-A", 1_000);
      const deps: CartDeps = {
        ...cartSqlStores(db.em),
        prices,
        availability,
        clock: fixedClock(now),
        newId: sequentialIds("g"),
        policy: DEFAULT_CART_POLICY,
        currencyOf: async () => "EUR",
      };
      const definition = {
        code: "LAST",
        description: "the last use",
        benefit: { kind: "fixed_amount_off" as const, amountMinor: 100 },
        eligibleSkus: [],
        minimumSubtotalMinor: 0,
        startsAt: undefined,
        endsAt: undefined,
        maxRedemptions: 1,
        maxRedemptionsPerUser: 0,
        stackable: false,
      };
      await deps.promotions.add(createPromotion(acme, "p-last", definition, now), {
        keyHash: "k".repeat(64),
        fingerprint: "f".repeat(64),
      });
      const customers = Array.from({ length: 20 }, (_, i) => customer(`user-${i}`));
      for (const [i, ctx] of customers.entries()) {
        await addItem(deps, ctx, { guestCartId: "", sku: "SKU-A", quantity: 1, idempotencyKey: `add-${i}-key` });
        await applyPromotion(deps, ctx, { guestCartId: "", code: "LAST", idempotencyKey: `apply-${i}-key` });
      }

      const validations = await Promise.all(customers.map((ctx) => validateForCheckout(deps, ctx, { shippingAddress: address })));

      const keeping = validations.filter((v) => v.snapshot.promotions.some((p) => p.code === "LAST"));
      expect(keeping).toHaveLength(1);
      expect(keeping[0]?.snapshot.discountTotalMinor).toBe(100);
      const dropped = validations.filter((v) => v.issues.some((i) => i.kind === "promotion_removed" && i.code === "LAST"));
      expect(dropped).toHaveLength(19);
      for (const v of dropped) expect(v.snapshot.discountTotalMinor).toBe(0);
    } finally {
      await db.dispose();
    }
  });
});
