import type { ProductContent } from "../../../core/catalog/product-content.ts";

/** A valid product content in EUR; override what a test is about. */
export function aProduct(
  overrides: Partial<ProductContent> = {},
  sku = `SKU-${Math.random().toString(36).slice(2, 8)}`,
): ProductContent {
  return {
    name: "Trail Runner",
    description: "A light running shoe for rough trails.",
    brand: "Acme",
    categoryId: "shoes",
    images: [{ url: "https://img.example.com/trail.png", altText: "shoe" }],
    attributes: [{ name: "material", value: "mesh" }],
    variants: [{ sku, price: { amountMinor: 8_999, currency: "EUR" }, attributes: [{ name: "size", value: "42" }] }],
    taxClass: "",
    status: "active",
    ...overrides,
  };
}
