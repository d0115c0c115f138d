import { requireRole } from "../kit/caller-guards.ts";
import { type DomainError, invalidField, isDomainError, notFound } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import type { CatalogDeps } from "./catalog-deps.ts";
import { Product, type ProductSnapshot } from "./product.ts";
import type { ProductContent } from "./product-content.ts";

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
  return create(deps, ctx, content, idempotencyKey);
}

async function create(deps: CatalogDeps, ctx: RequestContext, content: ProductContent, key: string): Promise<ProductSnapshot> {
  const replay = await deps.products.findByCreationKey(ctx.tenantId, key);
  if (replay) return replay.snapshot();
  await requireCategory(deps, ctx, content.categoryId);
  const product = Product.create(
    { tenantId: ctx.tenantId, id: deps.newId(), creationKey: key, content, currency: deps.currencyOf(ctx.tenantId) },
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

/** Replaces the content when `expectedVersion` is current (else ABORTED, nothing written). */
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
  await requireCategory(deps, ctx, content.categoryId);
  product.replaceContent(content, deps.currencyOf(ctx.tenantId), deps.clock.now());
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
  const results: BulkItemResult[] = [];
  for (const [index, item] of items.entries()) {
    const reference = item.reference;
    if (isDomainError(item.content)) {
      results.push({ index, reference, error: item.content });
      continue;
    }
    try {
      results.push({ index, reference, product: await create(deps, ctx, item.content, `${idempotencyKey}#${index}`) });
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

async function requireCategory(deps: CatalogDeps, ctx: RequestContext, categoryId: string): Promise<void> {
  if (!categoryId) throw invalidField("category_id", "required");
  if (!(await deps.categories.find(ctx.tenantId, categoryId)))
    throw invalidField("category_id", `unknown category ${categoryId}`, "CATALOG.UNKNOWN_CATEGORY");
}
