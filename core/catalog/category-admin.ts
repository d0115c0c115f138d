import { requireRole } from "../kit/caller-guards.ts";
import { alreadyExists, notFound } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import { type AttributeSpec, type CategorySnapshot, newCategory, treeOrder } from "./category.ts";
import type { CatalogDeps } from "./catalog-deps.ts";

export interface NewCategoryInput {
  readonly parentId: string;
  readonly name: string;
  readonly slug: string;
  readonly attributeSpecs: readonly AttributeSpec[];
  readonly idempotencyKey: string;
}

/** Creates a category (tenant admin); a replay with the same key answers the first one. */
export async function createCategory(deps: CatalogDeps, ctx: RequestContext, input: NewCategoryInput): Promise<CategorySnapshot> {
  requireRole(ctx, Roles.tenantAdmin);
  const replay = await deps.categories.findByCreationKey(ctx.tenantId, input.idempotencyKey);
  if (replay) return replay;
  const parent = input.parentId ? await deps.categories.find(ctx.tenantId, input.parentId) : undefined;
  if (input.parentId && !parent) throw notFound("category", input.parentId, "CATALOG.CATEGORY_NOT_FOUND");
  const siblings = (await deps.categories.list(ctx.tenantId)).filter((c) => c.parentId === (parent?.id ?? ""));
  if (siblings.some((c) => c.slug === input.slug)) throw alreadyExists("CATALOG.SLUG_TAKEN", `slug ${input.slug} is taken here`);
  const category = newCategory(
    {
      tenantId: ctx.tenantId,
      id: deps.newId(),
      creationKey: input.idempotencyKey,
      parentId: input.parentId,
      name: input.name,
      slug: input.slug,
      attributeSpecs: input.attributeSpecs,
    },
    parent,
    deps.clock.now(),
  );
  await deps.categories.add(category);
  return category;
}

export async function getCategory(deps: CatalogDeps, ctx: RequestContext, id: string): Promise<CategorySnapshot> {
  const category = await deps.categories.find(ctx.tenantId, id);
  if (!category) throw notFound("category", id, "CATALOG.CATEGORY_NOT_FOUND");
  return category;
}

export async function listCategories(deps: CatalogDeps, ctx: RequestContext): Promise<CategorySnapshot[]> {
  return treeOrder(await deps.categories.list(ctx.tenantId));
}

/** The direct children of a category (or the roots for ""). */
export async function listSubCategories(deps: CatalogDeps, ctx: RequestContext, parentId: string): Promise<CategorySnapshot[]> {
  return treeOrder((await deps.categories.list(ctx.tenantId)).filter((c) => c.parentId === parentId));
}
