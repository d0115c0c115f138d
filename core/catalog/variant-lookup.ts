import { invalidField } from "../kit/domain-error.ts";
import type { Money } from "../kit/money.ts";
import { hasRole, type RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import type { CatalogDeps } from "./catalog-deps.ts";
import type { Attribute, ProductStatus } from "./product-content.ts";

export const MAX_BATCH_SKUS = 200;

/** The purchasable facts of one SKU, as cart and orders need them. */
export interface VariantView {
  readonly sku: string;
  readonly productId: string;
  readonly productVersion: number;
  readonly productName: string;
  readonly productStatus: ProductStatus;
  /** The product is ACTIVE: the SKU can go into a cart now. */
  readonly purchasable: boolean;
  readonly price: Money;
  readonly taxClass: string;
  readonly attributes: readonly Attribute[];
  readonly imageUrl: string;
}

export interface VariantLookup {
  /** Found SKUs, in request order. */
  readonly variants: readonly VariantView[];
  /** Requested SKUs this tenant does not have (or, to anyone but its admins, only in a draft). */
  readonly missingSkus: readonly string[];
}

/**
 * Many SKUs at once (1..200 distinct), tenant scoped; an unknown SKU is reported, not an error.
 * An archived product's SKUs are found and not purchasable (carts holding them can say so); a
 * draft's are missing except to a tenant admin (a draft was never published).
 */
export async function batchGetVariants(deps: CatalogDeps, ctx: RequestContext, skus: readonly string[]): Promise<VariantLookup> {
  if (skus.length === 0 || skus.length > MAX_BATCH_SKUS) throw invalidField("skus", `1..${MAX_BATCH_SKUS} SKUs`);
  skus.forEach((sku, i) => {
    if (sku.length === 0 || sku.length > 64) throw invalidField(`skus[${i}]`, "1..64 characters");
  });
  if (new Set(skus).size !== skus.length) throw invalidField("skus", "must be distinct");
  const admin = hasRole(ctx, Roles.tenantAdmin);
  const found = new Map<string, VariantView>();
  for (const product of await deps.products.findBySkus(ctx.tenantId, skus)) {
    if (product.status === "draft" && !admin) continue;
    for (const variant of product.variants) {
      found.set(variant.sku, {
        sku: variant.sku,
        productId: product.id,
        productVersion: product.version,
        productName: product.name,
        productStatus: product.status,
        purchasable: product.status === "active",
        price: variant.price,
        taxClass: product.taxClass,
        attributes: variant.attributes,
        imageUrl: product.images[0]?.url ?? "",
      });
    }
  }
  return {
    variants: skus.flatMap((sku) => found.get(sku) ?? []),
    missingSkus: skus.filter((sku) => !found.has(sku)),
  };
}
