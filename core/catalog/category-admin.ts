import { requireRole } from "../kit/caller-guards.ts";
import { alreadyExists, conflict, DomainError, failedPrecondition, invalidField, notFound } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import {
  type AttributeSpec,
  type CategoryChange,
  type CategorySnapshot,
  changedCategory,
  newCategory,
  rehomedDescendants,
  treeOrder,
  wouldCycle,
} from "./category.ts";
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

/**
 * Renames, moves or replaces the attribute specs of a category (tenant admin) when
 * `expectedVersion` is current (else ABORTED). A move under itself or one of its descendants is
 * FAILED_PRECONDITION naming `parent_category_id`; an unknown new parent is INVALID_ARGUMENT
 * naming it; a sibling with the same slug under the new parent is ALREADY_EXISTS. The
 * descendants' ancestors follow a move.
 */
export async function updateCategory(
  deps: CatalogDeps,
  ctx: RequestContext,
  id: string,
  expectedVersion: number,
  change: CategoryChange,
): Promise<CategorySnapshot> {
  requireRole(ctx, Roles.tenantAdmin);
  const all = await deps.categories.list(ctx.tenantId);
  const current = all.find((c) => c.id === id);
  if (!current) throw notFound("category", id, "CATALOG.CATEGORY_NOT_FOUND");
  expectCategoryVersion(current, expectedVersion);
  const parentId = change.parentId ?? current.parentId;
  const parent = parentId ? all.find((c) => c.id === parentId) : undefined;
  if (parentId && !parent) throw invalidField("parent_category_id", `unknown category ${parentId}`, "CATALOG.UNKNOWN_CATEGORY");
  if (wouldCycle(all, id, parentId))
    throw new DomainError(
      "failed_precondition",
      "CATALOG.CATEGORY_CYCLE",
      `parent_category_id: ${parentId} is ${id} or under it`,
      {
        field: "parent_category_id",
      },
    );
  const moved = parentId !== current.parentId;
  if (moved && all.some((c) => c.id !== id && c.parentId === parentId && c.slug === current.slug))
    throw alreadyExists("CATALOG.SLUG_TAKEN", `slug ${current.slug} is taken under ${parentId || "the roots"}`);
  const updated = changedCategory(current, change, parent, deps.clock.now());
  await deps.categories.update(updated, current.version, moved ? rehomedDescendants(all, updated) : []);
  return updated;
}

/** Deletes an empty category (tenant admin): FAILED_PRECONDITION while it has sub-categories or products. */
export async function deleteCategory(deps: CatalogDeps, ctx: RequestContext, id: string, expectedVersion: number): Promise<void> {
  requireRole(ctx, Roles.tenantAdmin);
  const all = await deps.categories.list(ctx.tenantId);
  const current = all.find((c) => c.id === id);
  if (!current) throw notFound("category", id, "CATALOG.CATEGORY_NOT_FOUND");
  expectCategoryVersion(current, expectedVersion);
  if (all.some((c) => c.parentId === id))
    throw failedPrecondition("CATALOG.CATEGORY_HAS_CHILDREN", `category ${id} has sub-categories`);
  if ((await deps.products.countInCategory(ctx.tenantId, id)) > 0)
    throw failedPrecondition("CATALOG.CATEGORY_HAS_PRODUCTS", `category ${id} has products`);
  await deps.categories.remove(ctx.tenantId, id, current.version);
}

function expectCategoryVersion(category: CategorySnapshot, expected: number): void {
  if (category.version !== expected)
    throw conflict("CATALOG.VERSION_STALE", `category ${category.id} is at version ${category.version}, not ${expected}`);
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
