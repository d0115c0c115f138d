import type { IndexDescription } from "mongodb";
import { attributePairs, priceRange, type ProductSnapshot, productInStock } from "../../../core/catalog/product.ts";
import { ratingRank } from "../../../core/catalog/rating-summary.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { outboxIndex } from "../mongo-outbox.ts";

export const PRODUCTS = "products";
export const SKU_CLAIMS = "product_skus";

/**
 * A product as stored: its content, and the derived fields every browse query uses (price
 * range, stock, attribute pairs, one numeric key per sort order; search reads its own index,
 * `mongo-search-index.ts`). `_id` is
 * `<tenant>/<product id>`, and `tenant_id` leads every index. A deleted product stays as a
 * tombstone (status "deleted") until its ProductDeleted event has left the outbox.
 */
export interface ProductDocument {
  _id: string;
  tenant_id: string;
  product_id: string;
  creation_key: string;
  name: string;
  description: string;
  brand: string;
  brand_key: string;
  category_id: string;
  images: { url: string; alt_text: string }[];
  attributes: { name: string; value: string }[];
  variants: {
    sku: string;
    price_minor: number;
    currency: string;
    attributes: { name: string; value: string }[];
    in_stock: boolean;
  }[];
  tax_class: string;
  status: ProductSnapshot["status"] | "deleted";
  rating: { count: number; average: number; histogram: number[]; version: number };
  created_at: Date;
  updated_at: Date;
  version: number;
  created_ms: number;
  min_price: number;
  max_price: number;
  rating_rank: number;
  in_stock: boolean;
  attr_pairs: string[];
  attr_kv: { n: string; v: string }[];
}

export const productIndexes: readonly IndexDescription[] = [
  { key: { tenant_id: 1, creation_key: 1 }, name: "tenant_creation_key", unique: true },
  { key: { tenant_id: 1, status: 1, created_ms: -1, product_id: 1 }, name: "tenant_newest" },
  { key: { tenant_id: 1, status: 1, min_price: 1, product_id: 1 }, name: "tenant_price_asc" },
  { key: { tenant_id: 1, status: 1, max_price: -1, product_id: 1 }, name: "tenant_price_desc" },
  { key: { tenant_id: 1, status: 1, rating_rank: -1, product_id: 1 }, name: "tenant_rating" },
  { key: { tenant_id: 1, attr_pairs: 1 }, name: "tenant_attributes" },
  { key: { tenant_id: 1, brand_key: 1 }, name: "tenant_brand" },
  { key: { tenant_id: 1, category_id: 1 }, name: "tenant_category" },
  outboxIndex,
];

/** Indexes of earlier versions, dropped at start: `tenant_terms` served search over the products before the search index (`terms` is no longer written). */
export const retiredProductIndexes: readonly string[] = ["tenant_terms"];

export const productDocumentId = (tenantId: TenantId, id: string) => `${tenantId}/${id}`;

/** Every field but the rating (owned by the rating consumer) and the outbox. */
export function contentFields(p: ProductSnapshot, deleted = false): Omit<ProductDocument, "_id" | "rating" | "rating_rank"> {
  const range = priceRange(p);
  const pairs = attributePairs(p);
  return {
    tenant_id: p.tenantId,
    product_id: p.id,
    creation_key: p.creationKey,
    name: p.name,
    description: p.description,
    brand: p.brand,
    brand_key: p.brand.toLowerCase(),
    category_id: p.categoryId,
    images: p.images.map((i) => ({ url: i.url, alt_text: i.altText })),
    attributes: p.attributes.map((a) => ({ name: a.name, value: a.value })),
    variants: p.variants.map((v) => ({
      sku: v.sku,
      price_minor: v.price.amountMinor,
      currency: v.price.currency,
      attributes: v.attributes.map((a) => ({ name: a.name, value: a.value })),
      in_stock: v.inStock,
    })),
    tax_class: p.taxClass,
    status: deleted ? "deleted" : p.status,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    version: p.version,
    created_ms: p.createdAt.getTime(),
    min_price: range.min.amountMinor,
    max_price: range.max.amountMinor,
    in_stock: productInStock(p),
    attr_pairs: pairs,
    attr_kv: pairs.map((pair) => {
      const at = pair.indexOf("=");
      return { n: pair.slice(0, at), v: pair.slice(at + 1) };
    }),
  };
}

export function toDocument(p: ProductSnapshot): Omit<ProductDocument, "_id"> & { _id: string } {
  return {
    _id: productDocumentId(p.tenantId, p.id),
    ...contentFields(p),
    rating: { ...p.rating, histogram: [...p.rating.histogram] },
    rating_rank: ratingRank(p.rating),
  };
}

export function fromDocument(d: ProductDocument): ProductSnapshot {
  return {
    tenantId: d.tenant_id as TenantId,
    id: d.product_id,
    creationKey: d.creation_key,
    name: d.name,
    description: d.description,
    brand: d.brand,
    categoryId: d.category_id,
    images: d.images.map((i) => ({ url: i.url, altText: i.alt_text })),
    attributes: d.attributes,
    variants: d.variants.map((v) => ({
      sku: v.sku,
      price: { amountMinor: v.price_minor, currency: v.currency },
      attributes: v.attributes,
      inStock: v.in_stock,
    })),
    taxClass: d.tax_class,
    status: d.status === "deleted" ? "archived" : d.status,
    rating: {
      count: d.rating.count,
      average: d.rating.average,
      histogram: d.rating.histogram as unknown as ProductSnapshot["rating"]["histogram"],
      version: d.rating.version,
    },
    createdAt: d.created_at,
    updatedAt: d.updated_at,
    version: d.version,
  };
}
