/**
 * What a caller may do, as carried in the access token's `roles` claim: the
 * `shop.users.v1.Role` value names in lower case, without the prefix (docs/contracts.md).
 */
export const Roles = {
  /** Shops: own cart, orders, reviews, profile. */
  customer: "customer",
  /** Administers one tenant: catalog, stock, users, moderation, templates, its orders. */
  tenantAdmin: "tenant_admin",
  /** Administers tenants (TenantService); only in the reserved platform tenant. */
  platformOperator: "platform_operator",
} as const;

export type Role = (typeof Roles)[keyof typeof Roles];

const ALL: ReadonlySet<string> = new Set(Object.values(Roles));

export function isRole(value: string): value is Role {
  return ALL.has(value);
}
