import { conflict, failedPrecondition } from "../kit/domain-error.ts";
import type { Money } from "../kit/money.ts";
import type { TenantId } from "../kit/request-context.ts";
import { checkAttributeSpecs } from "./attribute-specs.ts";
import type { AttributeSpec } from "./category.ts";
import { type Attribute, type ProductContent, type ProductImage, type ProductStatus, validContent } from "./product-content.ts";
import { NO_RATINGS, type RatingSummary } from "./rating-summary.ts";
import { searchTerms } from "./search-terms.ts";

export interface Variant {
  readonly sku: string;
  readonly price: Money;
  readonly attributes: readonly Attribute[];
  readonly inStock: boolean;
}

export interface ProductSnapshot {
  readonly tenantId: TenantId;
  readonly id: string;
  /** The idempotency key it was created under (unique in the tenant): a replay finds it. */
  readonly creationKey: string;
  readonly name: string;
  readonly description: string;
  readonly brand: string;
  readonly categoryId: string;
  readonly images: readonly ProductImage[];
  readonly attributes: readonly Attribute[];
  readonly variants: readonly Variant[];
  readonly taxClass: string;
  readonly status: ProductStatus;
  readonly rating: RatingSummary;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** 1 at creation, +1 on every change; a write from a stale copy is ABORTED. */
  readonly version: number;
}

export type ProductEvent =
  | { readonly type: "ProductCreated"; readonly product: ProductSnapshot }
  | { readonly type: "ProductUpdated"; readonly product: ProductSnapshot; readonly removedSkus: readonly string[] }
  | { readonly type: "ProductDeleted"; readonly product: ProductSnapshot }
  | {
      readonly type: "ProductPriceChanged";
      readonly product: ProductSnapshot;
      readonly sku: string;
      readonly previousPrice: Money;
      readonly price: Money;
    };

export interface NewProduct {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly creationKey: string;
  readonly content: ProductContent;
  readonly currency: string;
  /** The effective specs of its category (`effectiveSpecs`); none = any attributes. */
  readonly attributeSpecs?: readonly AttributeSpec[];
}

/** A product of a tenant's catalog. State is private; every change goes through a named transition. */
export class Product {
  #state: ProductSnapshot;
  #events: ProductEvent[] = [];
  #deleted = false;
  /** The version as stored when loaded (0 for a new product): what a write must still find. */
  readonly loadedVersion: number;

  private constructor(state: ProductSnapshot, loadedVersion: number) {
    this.#state = state;
    this.loadedVersion = loadedVersion;
  }

  static create(input: NewProduct, now: Date): Product {
    const content = validContent(input.content, input.currency);
    checkAttributeSpecs(content, input.attributeSpecs ?? []);
    const product = new Product(
      {
        tenantId: input.tenantId,
        id: input.id,
        creationKey: input.creationKey,
        ...contentFields(content),
        variants: content.variants.map((v) => ({ ...v, inStock: false })),
        rating: NO_RATINGS,
        createdAt: now,
        updatedAt: now,
        version: 1,
      },
      0,
    );
    product.#events.push({ type: "ProductCreated", product: product.#state });
    return product;
  }

  static restore(state: ProductSnapshot): Product {
    return new Product(state, state.version);
  }

  get id(): string {
    return this.#state.id;
  }

  get isDeleted(): boolean {
    return this.#deleted;
  }

  /** Guards a write: the caller's expected version must be the one loaded. */
  expectVersion(expected: number): void {
    if (expected !== this.#state.version)
      throw conflict("CATALOG.VERSION_STALE", `product ${this.id} is at version ${this.#state.version}, not ${expected}`);
  }

  /**
   * Replaces the content (a full replacement), checked against the category's effective specs
   * as they are now; raises ProductUpdated and a PriceChanged per repriced SKU.
   */
  replaceContent(input: ProductContent, currency: string, now: Date, attributeSpecs: readonly AttributeSpec[] = []): void {
    if (this.#state.status === "archived") throw failedPrecondition("CATALOG.PRODUCT_ARCHIVED", `product ${this.id} is archived`);
    const content = validContent(input, currency);
    checkAttributeSpecs(content, attributeSpecs);
    const before = new Map(this.#state.variants.map((v) => [v.sku, v]));
    this.#change(
      {
        ...contentFields(content),
        variants: content.variants.map((v) => ({ ...v, inStock: before.get(v.sku)?.inStock ?? false })),
      },
      now,
    );
    const kept = new Set(content.variants.map((v) => v.sku));
    this.#events.push({
      type: "ProductUpdated",
      product: this.#state,
      removedSkus: [...before.keys()].filter((s) => !kept.has(s)),
    });
    for (const variant of content.variants) {
      const previous = before.get(variant.sku)?.price;
      if (previous && previous.amountMinor !== variant.price.amountMinor)
        this.#events.push({
          type: "ProductPriceChanged",
          product: this.#state,
          sku: variant.sku,
          previousPrice: previous,
          price: variant.price,
        });
    }
  }

  /** Idempotent: archiving an archived product changes nothing. */
  archive(now: Date): void {
    if (this.#state.status === "archived") return;
    this.#change({ status: "archived" }, now);
    this.#events.push({ type: "ProductUpdated", product: this.#state, removedSkus: [] });
  }

  /** Deleted for good; the repository keeps a tombstone until ProductDeleted is published. */
  delete(now: Date): void {
    if (this.#deleted) return;
    this.#deleted = true;
    this.#change({}, now);
    this.#events.push({ type: "ProductDeleted", product: this.#state });
  }

  get hasChanges(): boolean {
    return this.#state.version !== this.loadedVersion;
  }

  snapshot(): ProductSnapshot {
    return this.#state;
  }

  pullEvents(): ProductEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  #change(patch: Partial<ProductSnapshot>, now: Date): void {
    this.#state = { ...this.#state, ...patch, updatedAt: now, version: this.#state.version + 1 };
  }
}

function contentFields(content: ProductContent) {
  const { variants: _variants, ...rest } = content;
  return rest;
}

/** Derived fields the stores index and sort on. */
export function priceRange(product: ProductSnapshot): { min: Money; max: Money } {
  const prices = product.variants.map((v) => v.price);
  const min = prices.reduce((a, b) => (b.amountMinor < a.amountMinor ? b : a));
  const max = prices.reduce((a, b) => (b.amountMinor > a.amountMinor ? b : a));
  return { min, max };
}

export function productInStock(product: ProductSnapshot): boolean {
  return product.variants.some((v) => v.inStock);
}

/** Every attribute of the product and its variants as `name=value`, for exact filters and facets. */
export function attributePairs(product: ProductSnapshot): string[] {
  const pairs = new Set<string>();
  for (const a of product.attributes) pairs.add(`${a.name}=${a.value}`);
  for (const v of product.variants) for (const a of v.attributes) pairs.add(`${a.name}=${a.value}`);
  return [...pairs];
}

/** The search terms of a product: name, brand, description and attribute values. */
export function productTerms(product: ProductSnapshot): string[] {
  return searchTerms([
    product.name,
    product.brand,
    ...product.attributes.map((a) => a.value),
    ...product.variants.flatMap((v) => v.attributes.map((a) => a.value)),
    product.description,
  ]);
}
