import type { TenantId } from "./request-context.ts";

/**
 * Which tenants may be served, and in which currency they sell. Anonymous calls name their
 * tenant in `x-tenant-id`, and the identity resolver asks here before a handler runs; tokens of
 * a tenant that is no longer active are refused too. Asked on every call: implementations keep
 * an in-process view (refreshed by tenant events) rather than a round trip per call.
 */
export interface TenantDirectory {
  /** True when the tenant exists and is not disabled. */
  isActive(tenantId: TenantId): Promise<boolean>;
  /** The tenant's ISO 4217 currency, fixed at its creation; undefined for a tenant not known here. */
  currencyOf(tenantId: TenantId): Promise<string | undefined>;
}
