import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { AttributeSpec as CoreAttributeSpec, CategorySnapshot } from "../../core/catalog/category.ts";
import type { ProductSnapshot } from "../../core/catalog/product.ts";
import { priceRange, productInStock } from "../../core/catalog/product.ts";
import type { ProductContent, ProductStatus as CoreStatus } from "../../core/catalog/product-content.ts";
import type { ProductSort, RawFilter } from "../../core/catalog/product-query.ts";
import type { RatingSummary } from "../../core/catalog/rating-summary.ts";
import type { VariantView } from "../../core/catalog/variant-lookup.ts";
import { invalidField } from "../../core/kit/domain-error.ts";
import { AttributeScope, type AttributeSpec, type CategorySchema } from "../../gen/shop/catalog/v1/categories_pb.ts";
import { type ProductFilter, ProductSortOrder } from "../../gen/shop/catalog/v1/catalog_pb.ts";
import {
  type ProductInput,
  type ProductSchema,
  ProductStatus,
  type ProductSummarySchema,
  type VariantViewSchema,
} from "../../gen/shop/catalog/v1/products_pb.ts";
import type { Money } from "../../gen/shop/common/v1/money_pb.ts";
import type { RatingSummarySchema } from "../../gen/shop/common/v1/rating_pb.ts";

const toStatus = { draft: ProductStatus.DRAFT, active: ProductStatus.ACTIVE, archived: ProductStatus.ARCHIVED } as const;

export function fromProtoStatus(status: ProductStatus): CoreStatus {
  if (status === ProductStatus.DRAFT) return "draft";
  if (status === ProductStatus.ARCHIVED) return "archived";
  return "active";
}

const money = (m: { amountMinor: number; currency: string }) => ({
  amountMinor: BigInt(m.amountMinor),
  currencyCode: m.currency,
});

function fromMoney(m: Money | undefined, field: string) {
  if (!m) throw invalidField(field, "required");
  if (m.amountMinor > BigInt(Number.MAX_SAFE_INTEGER) || m.amountMinor < BigInt(Number.MIN_SAFE_INTEGER))
    throw invalidField(field, "out of range");
  return { amountMinor: Number(m.amountMinor), currency: m.currencyCode };
}

export function fromProductInput(input: ProductInput | undefined, field = "product"): ProductContent {
  if (!input) throw invalidField(field, "required");
  return {
    name: input.name,
    description: input.description,
    brand: input.brand,
    categoryId: input.categoryId,
    images: input.images.map((i) => ({ url: i.url, altText: i.altText })),
    attributes: input.attributes.map((a) => ({ name: a.name, value: a.value })),
    variants: input.variants.map((v, i) => ({
      sku: v.sku,
      price: fromMoney(v.price, `variants[${i}].price`),
      attributes: v.attributes.map((a) => ({ name: a.name, value: a.value })),
    })),
    taxClass: input.taxClass,
    status: input.status === ProductStatus.ACTIVE ? "active" : "draft",
  };
}

export function ratingToProto(r: RatingSummary): MessageInitShape<typeof RatingSummarySchema> {
  const [one, two, three, four, five] = r.histogram;
  return {
    ratingCount: BigInt(r.count),
    averageRating: r.average,
    oneStarCount: BigInt(one),
    twoStarCount: BigInt(two),
    threeStarCount: BigInt(three),
    fourStarCount: BigInt(four),
    fiveStarCount: BigInt(five),
  };
}

export function productToProto(p: ProductSnapshot): MessageInitShape<typeof ProductSchema> {
  const range = priceRange(p);
  return {
    productId: p.id,
    version: BigInt(p.version),
    status: toStatus[p.status],
    name: p.name,
    description: p.description,
    brand: p.brand,
    categoryId: p.categoryId,
    images: p.images.map((i) => ({ url: i.url, altText: i.altText })),
    attributes: p.attributes.map((a) => ({ ...a })),
    variants: p.variants.map((v) => ({
      sku: v.sku,
      price: money(v.price),
      attributes: v.attributes.map((a) => ({ ...a })),
      inStock: v.inStock,
    })),
    taxClass: p.taxClass,
    minPrice: money(range.min),
    maxPrice: money(range.max),
    inStock: productInStock(p),
    rating: ratingToProto(p.rating),
    createTime: timestampFromDate(p.createdAt),
    updateTime: timestampFromDate(p.updatedAt),
  };
}

export function summaryToProto(p: ProductSnapshot): MessageInitShape<typeof ProductSummarySchema> {
  const range = priceRange(p);
  return {
    productId: p.id,
    name: p.name,
    brand: p.brand,
    categoryId: p.categoryId,
    imageUrl: p.images[0]?.url ?? "",
    minPrice: money(range.min),
    maxPrice: money(range.max),
    inStock: productInStock(p),
    rating: ratingToProto(p.rating),
    status: toStatus[p.status],
    version: BigInt(p.version),
  };
}

export function variantToProto(v: VariantView): MessageInitShape<typeof VariantViewSchema> {
  return {
    sku: v.sku,
    productId: v.productId,
    productVersion: BigInt(v.productVersion),
    productName: v.productName,
    productStatus: toStatus[v.productStatus],
    purchasable: v.purchasable,
    price: money(v.price),
    taxClass: v.taxClass,
    attributes: v.attributes.map((a) => ({ ...a })),
    imageUrl: v.imageUrl,
  };
}

export function fromAttributeSpec(s: AttributeSpec): CoreAttributeSpec {
  return {
    name: s.name,
    displayName: s.displayName,
    scope: s.scope === AttributeScope.VARIANT ? "variant" : "product",
    required: s.required,
    allowedValues: s.allowedValues,
    facetable: s.facetable,
  };
}

export function categoryToProto(c: CategorySnapshot): MessageInitShape<typeof CategorySchema> {
  return {
    categoryId: c.id,
    parentCategoryId: c.parentId,
    ancestorCategoryIds: [...c.ancestorIds],
    name: c.name,
    slug: c.slug,
    attributeSpecs: c.attributeSpecs.map((s) => ({
      name: s.name,
      displayName: s.displayName,
      scope: s.scope === "variant" ? AttributeScope.VARIANT : AttributeScope.PRODUCT,
      required: s.required,
      allowedValues: [...s.allowedValues],
      facetable: s.facetable,
    })),
    version: BigInt(c.version),
    createTime: timestampFromDate(c.createdAt),
    updateTime: timestampFromDate(c.updatedAt),
  };
}

export function fromProtoFilter(filter: ProductFilter | undefined): RawFilter {
  if (!filter) return {};
  return {
    categoryId: filter.categoryId || undefined,
    brands: filter.brands,
    minPriceMinor: filter.minPrice ? fromMoney(filter.minPrice, "filter.min_price").amountMinor : undefined,
    maxPriceMinor: filter.maxPrice ? fromMoney(filter.maxPrice, "filter.max_price").amountMinor : undefined,
    attributes: filter.attributes.map((a) => ({ name: a.name, values: a.values })),
    inStockOnly: filter.inStockOnly,
    statuses: filter.statuses.map(fromProtoStatus),
  };
}

/** SearchProducts' sort: UNSPECIFIED/RELEVANCE = relevance (undefined), the others as in listings. */
export function fromProtoSearchSort(sort: ProductSortOrder): ProductSort | undefined {
  switch (sort) {
    case ProductSortOrder.UNSPECIFIED:
    case ProductSortOrder.RELEVANCE:
      return undefined;
    case ProductSortOrder.NEWEST:
      return "newest";
    case ProductSortOrder.PRICE_ASCENDING:
      return "price_ascending";
    case ProductSortOrder.PRICE_DESCENDING:
      return "price_descending";
    case ProductSortOrder.RATING:
      return "rating";
    default:
      throw invalidField("sort_order", `unknown sort order ${sort}`);
  }
}

export function fromProtoSort(sort: ProductSortOrder): ProductSort {
  switch (sort) {
    case ProductSortOrder.PRICE_ASCENDING:
      return "price_ascending";
    case ProductSortOrder.PRICE_DESCENDING:
      return "price_descending";
    case ProductSortOrder.RATING:
      return "rating";
    default:
      return "newest";
  }
}
