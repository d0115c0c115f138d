import { invalidField } from "../kit/domain-error.ts";
import type { TenantId } from "../kit/request-context.ts";
import { ATTRIBUTE_NAME, LIMITS } from "./product-content.ts";

/**
 * An attribute the products of a category (and of its descendants) may or must carry: on the
 * product or on each variant, free text or one of `allowedValues`. Enforced on product writes
 * (attribute-specs.ts).
 */
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
const MAX_SPECS = 50;
const MAX_ALLOWED_VALUES = 200;

/** A category's own specs: at most 50, distinct lower_snake_case names, a label, distinct allowed values. */
function validSpecs(specs: readonly AttributeSpec[]): readonly AttributeSpec[] {
  if (specs.length > MAX_SPECS) throw invalidField("attribute_specs", `at most ${MAX_SPECS}`);
  const names = new Set<string>();
  specs.forEach((spec, i) => {
    const field = `attribute_specs[${i}]`;
    if (!ATTRIBUTE_NAME.test(spec.name)) throw invalidField(`${field}.name`, "lower_snake_case, 1..64");
    if (names.has(spec.name)) throw invalidField(`${field}.name`, "spec names must be distinct");
    names.add(spec.name);
    if (spec.displayName.trim().length === 0 || spec.displayName.length > 100)
      throw invalidField(`${field}.display_name`, "1..100 characters");
    const values = spec.allowedValues;
    if (values.length > MAX_ALLOWED_VALUES) throw invalidField(`${field}.allowed_values`, `at most ${MAX_ALLOWED_VALUES}`);
    if (values.some((v) => v.length === 0 || v.length > LIMITS.attributeValue))
      throw invalidField(`${field}.allowed_values`, `values of 1..${LIMITS.attributeValue} characters`);
    if (new Set(values).size !== values.length) throw invalidField(`${field}.allowed_values`, "values must be distinct");
  });
  return specs;
}

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
    attributeSpecs: validSpecs(input.attributeSpecs),
    parentId: parent?.id ?? "",
    ancestorIds: parent ? [...parent.ancestorIds, parent.id] : [],
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

export interface CategoryChange {
  readonly name?: string;
  /** The new parent ("" for a root); undefined keeps the current one. */
  readonly parentId?: string;
  /**
   * Replaces every spec when set (an empty list clears them). Products already stored are not
   * rewritten nor re-checked: the specs apply to product writes from then on.
   */
  readonly attributeSpecs?: readonly AttributeSpec[];
}

/**
 * A category with `change` applied under `parent` (the new or current parent, as stored now):
 * the name checked, the ancestors re-derived from the parent, the version up by one. The caller
 * has checked that `parent` is not the category itself or under it.
 */
export function changedCategory(
  current: CategorySnapshot,
  change: CategoryChange,
  parent: CategorySnapshot | undefined,
  now: Date,
): CategorySnapshot {
  const name = change.name === undefined ? current.name : change.name.trim();
  if (name.length === 0 || name.length > 100) throw invalidField("name", "1..100 characters");
  return {
    ...current,
    name,
    parentId: parent?.id ?? "",
    ancestorIds: parent ? [...parent.ancestorIds, parent.id] : [],
    attributeSpecs: change.attributeSpecs ? validSpecs(change.attributeSpecs) : current.attributeSpecs,
    updatedAt: now,
    version: current.version + 1,
  };
}

/** Whether making `parentId` the parent of `id` would put `id` under itself. */
export function wouldCycle(categories: readonly CategorySnapshot[], id: string, parentId: string): boolean {
  if (parentId === "") return false;
  if (parentId === id) return true;
  const parent = categories.find((c) => c.id === parentId);
  return parent?.ancestorIds.includes(id) ?? false;
}

/** The descendants of `moved` with their ancestors re-derived below its new place. */
export function rehomedDescendants(categories: readonly CategorySnapshot[], moved: CategorySnapshot): CategorySnapshot[] {
  return categories
    .filter((c) => c.ancestorIds.includes(moved.id))
    .map((c) => ({
      ...c,
      ancestorIds: [...moved.ancestorIds, moved.id, ...c.ancestorIds.slice(c.ancestorIds.indexOf(moved.id) + 1)],
    }));
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
