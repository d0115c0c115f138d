import { describe, expect, it } from "vitest";
import { checkAttributeSpecs, effectiveSpecs } from "../../../core/catalog/attribute-specs.ts";
import { type AttributeSpec, type CategorySnapshot, changedCategory, newCategory } from "../../../core/catalog/category.ts";
import type { Attribute } from "../../../core/catalog/product-content.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";

const spec = (name: string, overrides: Partial<AttributeSpec> = {}): AttributeSpec => ({
  name,
  displayName: name,
  scope: "product",
  required: false,
  allowedValues: [],
  facetable: false,
  ...overrides,
});

/** A laptop category: brand line free text, RAM from a list on the product, colour required on each variant. */
const laptop = [
  spec("ram_gb", { required: true, allowedValues: ["8", "16", "32"] }),
  spec("line"),
  spec("color", { scope: "variant", required: true, allowedValues: ["black", "silver"] }),
  spec("keyboard", { scope: "variant" }),
];

const attrs = (pairs: Record<string, string>): Attribute[] => Object.entries(pairs).map(([name, value]) => ({ name, value }));
const content = (product: Record<string, string>, ...variants: Record<string, string>[]) => ({
  attributes: attrs(product),
  variants: variants.map((v, i) => ({ sku: `S-${i}`, price: { amountMinor: 1, currency: "EUR" }, attributes: attrs(v) })),
});

describe("attribute specs checked on a product's content", () => {
  const good = content({ ram_gb: "16", line: "Pro" }, { color: "black" }, { color: "silver", keyboard: "US" });

  it.each([
    ["everything declared, required present, values allowed", laptop, good, undefined],
    ["no specs at all: any attributes", [], content({ anything: "x" }, { whatever: "y" }), undefined],
    ["optional attributes left out", laptop, content({ ram_gb: "8" }, { color: "black" }), undefined],
    [
      "an undeclared product attribute",
      laptop,
      content({ ram_gb: "8", weight: "2" }, { color: "black" }),
      ["attributes[1].name", "CATALOG.ATTRIBUTE_UNKNOWN"],
    ],
    [
      "an undeclared variant attribute",
      laptop,
      content({ ram_gb: "8" }, { color: "black" }, { color: "black", size: "M" }),
      ["variants[1].attributes[1].name", "CATALOG.ATTRIBUTE_UNKNOWN"],
    ],
    [
      "a product value outside the list",
      laptop,
      content({ ram_gb: "12" }, { color: "black" }),
      ["attributes[0].value", "CATALOG.ATTRIBUTE_VALUE_NOT_ALLOWED"],
    ],
    [
      "a variant value outside the list",
      laptop,
      content({ ram_gb: "8" }, { color: "black" }, { keyboard: "DE", color: "gold" }),
      ["variants[1].attributes[1].value", "CATALOG.ATTRIBUTE_VALUE_NOT_ALLOWED"],
    ],
    [
      "values compare exactly (case)",
      laptop,
      content({ ram_gb: "8" }, { color: "Black" }),
      ["variants[0].attributes[0].value", "CATALOG.ATTRIBUTE_VALUE_NOT_ALLOWED"],
    ],
    [
      "a required product attribute missing",
      laptop,
      content({ line: "Pro" }, { color: "black" }),
      ["attributes", "CATALOG.ATTRIBUTE_REQUIRED"],
    ],
    [
      "a required variant attribute missing on the second variant",
      laptop,
      content({ ram_gb: "8" }, { color: "black" }, { keyboard: "US" }),
      ["variants[1].attributes", "CATALOG.ATTRIBUTE_REQUIRED"],
    ],
    [
      "a variant attribute set on the product",
      laptop,
      content({ ram_gb: "8", color: "black" }, { color: "black" }),
      ["attributes[1].name", "CATALOG.ATTRIBUTE_WRONG_LEVEL"],
    ],
    [
      "a product attribute set on a variant",
      laptop,
      content({ ram_gb: "8" }, { color: "black", ram_gb: "8" }),
      ["variants[0].attributes[1].name", "CATALOG.ATTRIBUTE_WRONG_LEVEL"],
    ],
  ] as const)("when %s", (_case, specs, product, expected) => {
    const check = () => checkAttributeSpecs(product, specs);
    if (!expected) expect(check).not.toThrow();
    else expect(check).toThrow(expect.objectContaining({ kind: "invalid", field: expected[0], code: expected[1] }));
  });

  it("when a closed list is long, then the message lists ten values and counts the rest", () => {
    const sizes = Array.from({ length: 25 }, (_, i) => `${i + 30}`);
    expect(() => checkAttributeSpecs(content({ size: "99" }), [spec("size", { allowedValues: sizes })])).toThrow(
      'attributes[0].value: size must be one of "30", "31", "32", "33", "34", "35", "36", "37", "38", "39" (+15 more)',
    );
  });
});

describe("effective specs of a category", () => {
  const now = new Date("2026-11-01T00:00:00Z");
  const tenantId = parseTenantId("acme");
  const category = (id: string, parent: CategorySnapshot | undefined, specs: AttributeSpec[]) =>
    newCategory(
      { tenantId, id, creationKey: id, parentId: parent?.id ?? "", name: id, slug: id, attributeSpecs: specs },
      parent,
      now,
    );
  const electronics = category("electronics", undefined, [spec("warranty_years", { allowedValues: ["1", "2"] }), spec("line")]);
  const computers = category("computers", electronics, []);
  const laptops = category("laptops", computers, [
    spec("warranty_years", { required: true, allowedValues: ["2"] }),
    spec("ram_gb"),
  ]);

  it("when specs are declared up the tree, then a category inherits them and the nearest declaration of a name wins", () => {
    expect(effectiveSpecs(laptops, [computers, electronics])).toEqual([
      spec("warranty_years", { required: true, allowedValues: ["2"] }),
      spec("line"),
      spec("ram_gb"),
    ]);
    expect(effectiveSpecs(computers, [electronics]).map((s) => s.name)).toEqual(["warranty_years", "line"]);
    expect(effectiveSpecs(electronics, [])).toEqual(electronics.attributeSpecs);
  });

  it("when an ancestor is missing (a branch half re-homed), then the specs of the others still apply", () => {
    expect(effectiveSpecs(laptops, [electronics]).map((s) => s.name)).toEqual(["warranty_years", "line", "ram_gb"]);
  });

  it.each([
    ["a repeated name", [spec("size"), spec("size")], "attribute_specs[1].name"],
    ["a name that is not lower_snake_case", [spec("Size")], "attribute_specs[0].name"],
    ["a blank label", [spec("size", { displayName: " " })], "attribute_specs[0].display_name"],
    ["repeated allowed values", [spec("size", { allowedValues: ["M", "M"] })], "attribute_specs[0].allowed_values"],
    ["an empty allowed value", [spec("size", { allowedValues: [""] })], "attribute_specs[0].allowed_values"],
    ["51 specs", Array.from({ length: 51 }, (_, i) => spec(`a${i}`)), "attribute_specs"],
  ])("when a category is written with %s, then INVALID_ARGUMENT names %s", (_case, specs, field) => {
    const invalid = expect.objectContaining({ kind: "invalid", field });
    expect(() => category("bad", undefined, specs)).toThrow(invalid);
    expect(() => changedCategory(electronics, { attributeSpecs: specs }, undefined, now)).toThrow(invalid);
  });
});
