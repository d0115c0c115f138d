import { invalidField } from "../kit/domain-error.ts";
import type { AttributeSpec, CategorySnapshot } from "./category.ts";
import type { Attribute, ProductContent } from "./product-content.ts";

/**
 * The specs a product of `category` must follow: those of its ancestors and its own, a name
 * declared at several levels taking the nearest (deepest) declaration, so a sub-category can
 * narrow or require what its parent allows. `ancestors` as stored, in any order; missing ones
 * (a branch half re-homed) are skipped.
 */
export function effectiveSpecs(category: CategorySnapshot, ancestors: readonly CategorySnapshot[]): AttributeSpec[] {
  const byId = new Map(ancestors.map((a) => [a.id, a]));
  const lineage = [...category.ancestorIds.flatMap((id) => byId.get(id) ?? []), category];
  const byName = new Map<string, AttributeSpec>();
  for (const level of lineage) for (const spec of level.attributeSpecs) byName.set(spec.name, spec);
  return [...byName.values()];
}

/**
 * Checks the attributes of a product and of each variant against the effective specs of its
 * category. No specs at all = any attributes (categories made before specs existed). Otherwise
 * the set is closed: an undeclared name, a name declared for the other level, a value outside a
 * closed list, or a required attribute missing is INVALID_ARGUMENT naming the field as in the
 * contract (`variants[1].attributes[0].value`, `attributes` for a missing product attribute).
 */
export function checkAttributeSpecs(
  content: Pick<ProductContent, "attributes" | "variants">,
  specs: readonly AttributeSpec[],
): void {
  if (specs.length === 0) return;
  const byName = new Map(specs.map((s) => [s.name, s]));
  checkLevel(content.attributes, "product", byName, "attributes");
  content.variants.forEach((variant, i) => {
    checkLevel(variant.attributes, "variant", byName, `variants[${i}].attributes`);
  });
}

function checkLevel(
  attributes: readonly Attribute[],
  scope: AttributeSpec["scope"],
  specs: ReadonlyMap<string, AttributeSpec>,
  field: string,
): void {
  attributes.forEach((attribute, i) => {
    const spec = specs.get(attribute.name);
    if (!spec)
      throw invalidField(
        `${field}[${i}].name`,
        `${attribute.name} is not an attribute of this category`,
        "CATALOG.ATTRIBUTE_UNKNOWN",
      );
    if (spec.scope !== scope)
      throw invalidField(
        `${field}[${i}].name`,
        `${attribute.name} is set on the ${spec.scope === "product" ? "product" : "variants"} in this category`,
        "CATALOG.ATTRIBUTE_WRONG_LEVEL",
      );
    if (spec.allowedValues.length > 0 && !spec.allowedValues.includes(attribute.value))
      throw invalidField(
        `${field}[${i}].value`,
        `${attribute.name} must be one of ${listed(spec.allowedValues)}`,
        "CATALOG.ATTRIBUTE_VALUE_NOT_ALLOWED",
      );
  });
  const present = new Set(attributes.map((a) => a.name));
  for (const spec of specs.values())
    if (spec.scope === scope && spec.required && !present.has(spec.name))
      throw invalidField(field, `${spec.name} is required in this category`, "CATALOG.ATTRIBUTE_REQUIRED");
}

/** The allowed values for a message: the first ten, then how many more. */
function listed(values: readonly string[]): string {
  const shown = values.slice(0, 10).map((v) => `"${v}"`);
  return values.length > 10 ? `${shown.join(", ")} (+${values.length - 10} more)` : shown.join(", ");
}
