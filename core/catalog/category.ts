import { invalidField } from "../kit/domain-error.ts";
import type { TenantId } from "../kit/request-context.ts";

export interface AttributeSpec {
  readonly name: string;
  readonly displayName: string;
  readonly scope: "product" | "variant";
  readonly required: boolean;
  readonly allowedValues: readonly string[];
  readonly facetable: boolean;
}

export interface CategorySnapshot {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly creationKey: string;
  /** Empty for a root. */
  readonly parentId: string;
  /** Root first, parent last; empty for a root. */
  readonly ancestorIds: readonly string[];
  readonly name: string;
  readonly slug: string;
  readonly attributeSpecs: readonly AttributeSpec[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** A node of the tenant's category tree; knows its ancestors, so sub-trees are one query. */
export function newCategory(
  input: Omit<CategorySnapshot, "ancestorIds" | "createdAt" | "updatedAt" | "version">,
  parent: CategorySnapshot | undefined,
  now: Date,
): CategorySnapshot {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) throw invalidField("name", "1..100 characters");
  if (!SLUG.test(input.slug)) throw invalidField("slug", "lower-case letters, digits and hyphens");
  return {
    ...input,
    name,
    parentId: parent?.id ?? "",
    ancestorIds: parent ? [...parent.ancestorIds, parent.id] : [],
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/** `root` and every category under it, from the tenant's flat list. */
export function subtreeIds(categories: readonly CategorySnapshot[], root: string): string[] {
  return categories.filter((c) => c.id === root || c.ancestorIds.includes(root)).map((c) => c.id);
}

/** Parents before children, siblings by name (ListCategories' order). */
export function treeOrder(categories: readonly CategorySnapshot[]): CategorySnapshot[] {
  return [...categories].sort(
    (a, b) => a.ancestorIds.length - b.ancestorIds.length || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
}
