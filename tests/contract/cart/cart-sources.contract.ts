import { describe, expect, it } from "vitest";
import { DomainError } from "../../../core/kit/domain-error.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import type { AvailabilitySource } from "../../../core/cart/availability-source.ts";
import type { PriceSource } from "../../../core/cart/price-source.ts";

export function shopper(tenant: string): RequestContext {
  return {
    tenantId: parseTenantId(tenant),
    caller: undefined,
    correlationId: "corr-sources",
    signal: new AbortController().signal,
  };
}

async function failure(work: Promise<unknown>): Promise<DomainError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

export interface PriceSourceSubject {
  readonly source: PriceSource;
  /** An ACTIVE product of the tenant with these SKUs (price in minor units of EUR); its product id. */
  product(tenant: string, skus: Readonly<Record<string, number>>): Promise<string>;
  /** Makes catalog unreachable (true) or reachable again. */
  setDown(down: boolean): void;
  dispose(): Promise<void>;
}

/** What every PriceSource does: known SKUs priced, unknown ones absent, tenants apart, down is UNAVAILABLE. */
export function priceSourceContract(name: string, open: () => Promise<PriceSourceSubject>) {
  describe(`PriceSource: ${name}`, () => {
    it("when the SKUs exist, then each is priced with its product, currency, tax class and purchasability", async () => {
      const s = await open();
      try {
        const productId = await s.product("acme", { "PS-A": 1999, "PS-B": 500 });
        const known = new Map([
          ["PS-A", productId],
          ["PS-B", productId],
        ]);
        const prices = await s.source.prices(shopper("acme"), ["PS-A", "PS-B"], known);
        expect([...prices.keys()].sort()).toEqual(["PS-A", "PS-B"]);
        expect(prices.get("PS-A")).toMatchObject({
          sku: "PS-A",
          productId,
          unitPriceMinor: 1999,
          currency: "EUR",
          taxClass: "standard",
          purchasable: true,
        });
        expect(prices.get("PS-B")?.unitPriceMinor).toBe(500);
      } finally {
        await s.dispose();
      }
    });

    it("when a SKU is unknown or of another tenant, then it is absent from the answer", async () => {
      const s = await open();
      try {
        const productId = await s.product("acme", { "PS-C": 100 });
        const known = new Map([
          ["PS-C", productId],
          ["PS-GONE", "no-such-product"],
        ]);
        expect([...(await s.source.prices(shopper("acme"), ["PS-C", "PS-GONE"], known)).keys()]).toEqual(["PS-C"]);
        expect((await s.source.prices(shopper("globex"), ["PS-C"], known)).size).toBe(0);
        expect((await s.source.prices(shopper("acme"), [], known)).size).toBe(0);
      } finally {
        await s.dispose();
      }
    });

    it("when catalog is down, then it fails UNAVAILABLE with CART.CATALOG_UNAVAILABLE", async () => {
      const s = await open();
      try {
        const productId = await s.product("acme", { "PS-D": 100 });
        s.setDown(true);
        const error = await failure(s.source.prices(shopper("acme"), ["PS-D"], new Map([["PS-D", productId]])));
        expect([error.kind, error.code]).toEqual(["unavailable", "CART.CATALOG_UNAVAILABLE"]);
        s.setDown(false);
        expect((await s.source.prices(shopper("acme"), ["PS-D"], new Map([["PS-D", productId]]))).size).toBe(1);
      } finally {
        await s.dispose();
      }
    });
  });
}

export interface AvailabilitySourceSubject {
  readonly source: AvailabilitySource;
  stock(tenant: string, sku: string, units: number): Promise<void>;
  setDown(down: boolean): void;
  dispose(): Promise<void>;
}

/** What every AvailabilitySource does: units per SKU, 0 for unknown or another tenant's, down is UNAVAILABLE. */
export function availabilitySourceContract(name: string, open: () => Promise<AvailabilitySourceSubject>) {
  describe(`AvailabilitySource: ${name}`, () => {
    it("when SKUs are stocked, then their units are answered, 0 for an unknown SKU or another tenant's", async () => {
      const s = await open();
      try {
        await s.stock("acme", "AV-A", 7);
        await s.stock("acme", "AV-B", 0);
        const units = await s.source.available(shopper("acme"), ["AV-A", "AV-B", "AV-NEVER"]);
        expect(Object.fromEntries(units)).toEqual({ "AV-A": 7, "AV-B": 0, "AV-NEVER": 0 });
        expect(Object.fromEntries(await s.source.available(shopper("globex"), ["AV-A"]))).toEqual({ "AV-A": 0 });
      } finally {
        await s.dispose();
      }
    });

    it("when more than 200 SKUs are asked at once, then every one is answered", async () => {
      const s = await open();
      try {
        await s.stock("acme", "AV-MANY-249", 3);
        const skus = Array.from({ length: 250 }, (_, i) => `AV-MANY-${i}`);
        const units = await s.source.available(shopper("acme"), skus);
        expect(units.size).toBe(250);
        expect(units.get("AV-MANY-249")).toBe(3);
      } finally {
        await s.dispose();
      }
    });

    it("when inventory is down, then it fails UNAVAILABLE with CART.INVENTORY_UNAVAILABLE", async () => {
      const s = await open();
      try {
        s.setDown(true);
        const error = await failure(s.source.available(shopper("acme"), ["AV-A"]));
        expect([error.kind, error.code]).toEqual(["unavailable", "CART.INVENTORY_UNAVAILABLE"]);
      } finally {
        await s.dispose();
      }
    });
  });
}
