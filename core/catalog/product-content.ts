import { invalidField } from "../kit/domain-error.ts";
import { type Money, money } from "../kit/money.ts";

export type ProductStatus = "draft" | "active" | "archived";

export interface Attribute {
  readonly name: string;
  readonly value: string;
}

export interface ProductImage {
  readonly url: string;
  readonly altText: string;
}

export interface VariantContent {
  readonly sku: string;
  readonly price: Money;
  readonly attributes: readonly Attribute[];
}

/** What an admin writes: a product without its derived fields. */
export interface ProductContent {
  readonly name: string;
  readonly description: string;
  readonly brand: string;
  readonly categoryId: string;
  readonly images: readonly ProductImage[];
  readonly attributes: readonly Attribute[];
  readonly variants: readonly VariantContent[];
  readonly taxClass: string;
  /** Draft or active; archiving has its own transition. */
  readonly status: "draft" | "active";
}

export const LIMITS = {
  name: 200,
  description: 20_000,
  brand: 100,
  images: 20,
  imageUrl: 2_048,
  attributes: 50,
  variantAttributes: 20,
  attributeValue: 200,
  variants: 100,
} as const;

export const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TAX_CLASS = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * The invariants of a product's content, checked in the core whatever the transport checked
 * before. Fields are named as in the contract (`variants[2].price`). Prices are in the tenant's
 * currency and never negative.
 */
export function validContent(content: ProductContent, currency: string): ProductContent {
  const name = content.name.trim();
  if (name.length === 0) throw invalidField("name", "required");
  if (name.length > LIMITS.name) throw invalidField("name", `at most ${LIMITS.name} characters`);
  if (content.description.length > LIMITS.description)
    throw invalidField("description", `at most ${LIMITS.description} characters`);
  if (content.brand.length > LIMITS.brand) throw invalidField("brand", `at most ${LIMITS.brand} characters`);
  if (content.categoryId.length === 0) throw invalidField("category_id", "required");
  if (content.images.length > LIMITS.images) throw invalidField("images", `at most ${LIMITS.images}`);
  content.images.forEach((image, i) => {
    if (!image.url.startsWith("https://") || image.url.length > LIMITS.imageUrl || !URL.canParse(image.url))
      throw invalidField(`images[${i}].url`, "must be an absolute https URL");
  });
  checkAttributes(content.attributes, LIMITS.attributes, "attributes");
  if (content.variants.length === 0) throw invalidField("variants", "at least one variant");
  if (content.variants.length > LIMITS.variants) throw invalidField("variants", `at most ${LIMITS.variants}`);
  const skus = new Set<string>();
  content.variants.forEach((variant, i) => {
    if (!SKU.test(variant.sku)) throw invalidField(`variants[${i}].sku`, "letters, digits, '.', '_', '-'; 1..64");
    if (skus.has(variant.sku)) throw invalidField(`variants[${i}].sku`, "SKUs must be distinct");
    skus.add(variant.sku);
    money(variant.price.amountMinor, variant.price.currency, `variants[${i}].price`);
    if (variant.price.amountMinor < 0) throw invalidField(`variants[${i}].price`, "must not be negative");
    if (variant.price.currency !== currency) throw invalidField(`variants[${i}].price`, `must be in ${currency}`);
    checkAttributes(variant.attributes, LIMITS.variantAttributes, `variants[${i}].attributes`);
  });
  if (content.taxClass !== "" && !TAX_CLASS.test(content.taxClass)) throw invalidField("tax_class", "a lower-case slug");
  return { ...content, name, taxClass: content.taxClass || "standard" };
}

function checkAttributes(attributes: readonly Attribute[], max: number, field: string): void {
  if (attributes.length > max) throw invalidField(field, `at most ${max}`);
  const names = new Set<string>();
  attributes.forEach((attribute, i) => {
    if (!ATTRIBUTE_NAME.test(attribute.name)) throw invalidField(`${field}[${i}].name`, "lower_snake_case, 1..64");
    if (names.has(attribute.name)) throw invalidField(`${field}[${i}].name`, "attribute names must be distinct");
    names.add(attribute.name);
    if (attribute.value.length === 0 || attribute.value.length > LIMITS.attributeValue)
      throw invalidField(`${field}[${i}].value`, `1..${LIMITS.attributeValue} characters`);
  });
}
