import { requireRole } from "../kit/caller-guards.ts";
import { type DomainError, invalidField, isDomainError, notFound } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import { effectiveSpecs } from "./attribute-specs.ts";
import type { CatalogDeps } from "./catalog-deps.ts";
import type { AttributeSpec } from "./category.ts";
import { Product, type ProductSnapshot } from "./product.ts";
import type { ProductContent } from "./product-content.ts";

/** What a write's content is checked against: the tenant's currency and its category's specs. */
interface ContentRules {
  readonly currency: string;
  /** Unknown category → INVALID_ARGUMENT on `category_id`. */
  specsOf(categoryId: string): Promise<readonly AttributeSpec[]>;
}

/**
 * Creates a product (tenant admin). Idempotent on the key: the key is stored with the product
 * under a unique index, so a replay (or a concurrent twin) answers the product made first.
 */
export async function createProduct(
  deps: CatalogDeps,
  ctx: RequestContext,
  content: ProductContent,
  idempotencyKey: string,
): Promise<ProductSnapshot> {
  requireRole(ctx, Roles.tenantAdmin);
  return create(deps, ctx, await contentRules(deps, ctx), content, idempotencyKey);
}

async function create(
  deps: CatalogDeps,
  ctx: RequestContext,
  rules: ContentRules,
  content: ProductContent,
  key: string,
): Promise<ProductSnapshot> {
  const replay = await deps.products.findByCreationKey(ctx.tenantId, key);
  if (replay) return replay.snapshot();
  const attributeSpecs = await rules.specsOf(content.categoryId);
  const product = Product.create(
    { tenantId: ctx.tenantId, id: deps.newId(), creationKey: key, content, currency: rules.currency, attributeSpecs },
    deps.clock.now(),
  );
  try {
    await deps.products.add(product, ctx);
  } catch (error) {
    if (isDomainError(error) && error.code === "CATALOG.CREATION_KEY_TAKEN") {
      const twin = await deps.products.findByCreationKey(ctx.tenantId, key);
      if (twin) return twin.snapshot();
    }
    throw error;
  }
  return product.snapshot();
}

/**
 * Replaces the content when `expectedVersion` is current (else ABORTED, nothing written),
 * checked against the category's specs as they are now.
 */
export async function updateProduct(
  deps: CatalogDeps,
  ctx: RequestContext,
  id: string,
  expectedVersion: number,
  content: ProductContent,
): Promise<ProductSnapshot> {
  requireRole(ctx, Roles.tenantAdmin);
  const product = await load(deps, ctx, id);
  product.expectVersion(expectedVersion);
  const rules = await contentRules(deps, ctx);
  const attributeSpecs = await rules.specsOf(content.categoryId);
  product.replaceContent(content, rules.currency, deps.clock.now(), attributeSpecs);
  await deps.products.update(product, ctx);
  return product.snapshot();
}

/** Archives; an archived product is answered unchanged whatever the version sent. */
export async function archiveProduct(
  deps: CatalogDeps,
  ctx: RequestContext,
  id: string,
  expectedVersion: number,
): Promise<ProductSnapshot> {
  requireRole(ctx, Roles.tenantAdmin);
  const product = await load(deps, ctx, id);
  if (product.snapshot().status === "archived") return product.snapshot();
  product.expectVersion(expectedVersion);
  product.archive(deps.clock.now());
  await deps.products.update(product, ctx);
  return product.snapshot();
}

export async function deleteProduct(deps: CatalogDeps, ctx: RequestContext, id: string, expectedVersion: number): Promise<void> {
  requireRole(ctx, Roles.tenantAdmin);
  const product = await load(deps, ctx, id);
  product.expectVersion(expectedVersion);
  product.delete(deps.clock.now());
  await deps.products.remove(product, ctx);
}

export type BulkItemResult =
  | { readonly index: number; readonly reference: string; readonly product: ProductSnapshot }
  | { readonly index: number; readonly reference: string; readonly error: DomainError };

/**
 * Creates each item on its own (an item's failure is its result, not the call's). Item i is
 * created under the key `<key>#<i>`, so a replay of the call answers the same products.
 */
export async function bulkImportProducts(
  deps: CatalogDeps,
  ctx: RequestContext,
  items: readonly { readonly reference: string; readonly content: ProductContent | DomainError }[],
  idempotencyKey: string,
): Promise<BulkItemResult[]> {
  requireRole(ctx, Roles.tenantAdmin);
  if (items.length === 0 || items.length > 500) throw invalidField("items", "1..500 items");
  const rules = await contentRules(deps, ctx);
  // The items of one call share the categories' specs as first read (one read per category).
  const specs = new Map<string, Promise<readonly AttributeSpec[]>>();
  const sharedRules: ContentRules = {
    currency: rules.currency,
    specsOf(categoryId) {
      let read = specs.get(categoryId);
      if (!read) {
        read = rules.specsOf(categoryId);
        specs.set(categoryId, read);
      }
      return read;
    },
  };
  const results: BulkItemResult[] = [];
  for (const [index, item] of items.entries()) {
    const reference = item.reference;
    if (isDomainError(item.content)) {
      results.push({ index, reference, error: item.content });
      continue;
    }
    try {
      results.push({
        index,
        reference,
        product: await create(deps, ctx, sharedRules, item.content, `${idempotencyKey}#${index}`),
      });
    } catch (error) {
      if (!isDomainError(error)) throw error;
      results.push({ index, reference, error });
    }
  }
  return results;
}

async function load(deps: CatalogDeps, ctx: RequestContext, id: string): Promise<Product> {
  const product = await deps.products.find(ctx.tenantId, id);
  if (!product) throw notFound("product", id, "CATALOG.PRODUCT_NOT_FOUND");
  return product;
}

async function contentRules(deps: CatalogDeps, ctx: RequestContext): Promise<ContentRules> {
  return {
    currency: await deps.currencyOf(ctx.tenantId),
    async specsOf(categoryId) {
      if (!categoryId) throw invalidField("category_id", "required");
      const category = await deps.categories.find(ctx.tenantId, categoryId);
      if (!category) throw invalidField("category_id", `unknown category ${categoryId}`, "CATALOG.UNKNOWN_CATEGORY");
      const ancestors = await Promise.all(category.ancestorIds.map((id) => deps.categories.find(ctx.tenantId, id)));
      return effectiveSpecs(
        category,
        ancestors.filter((a) => a !== undefined),
      );
    },
  };
}
