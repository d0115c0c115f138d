import { describe, expect, it } from "vitest";
import { Product } from "../../../core/catalog/product.ts";
import { queryTerms } from "../../../core/catalog/search-terms.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { aProduct } from "./catalog-builders.ts";

const create = (overrides: Parameters<typeof aProduct>[0] = {}) =>
  Product.create(
    { tenantId: parseTenantId("acme"), id: "p-1", creationKey: "k-1", content: aProduct(overrides, "SKU-1"), currency: "EUR" },
    new Date(),
  );

describe("Product", () => {
  it("when a 100 KB description is given, then it is INVALID_ARGUMENT on description", () => {
    expect(() => create({ description: "x".repeat(100_000) })).toThrow(
      expect.objectContaining({ kind: "invalid", field: "description" }),
    );
  });

  it("when a price changes, then ProductUpdated and ProductPriceChanged are raised and the version moves by one", () => {
    const product = create();
    product.pullEvents();
    product.replaceContent(
      aProduct({ variants: [{ sku: "SKU-1", price: { amountMinor: 1, currency: "EUR" }, attributes: [] }] }),
      "EUR",
      new Date(),
    );
    expect(product.pullEvents().map((e) => e.type)).toEqual(["ProductUpdated", "ProductPriceChanged"]);
    expect(product.snapshot().version).toBe(2);
    expect(() => product.expectVersion(1)).toThrow(expect.objectContaining({ kind: "conflict" }));
  });
});

describe("query terms", () => {
  it("when a query holds accents, operators or patterns, then only folded words remain", () => {
    expect(queryTerms('Crème {"$where": "x"} (a+)+$')).toEqual(["creme", "where", "x", "a"]);
  });
});
