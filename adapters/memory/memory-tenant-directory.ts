import type { TenantId } from "../../core/kit/request-context.ts";
import type { TenantDirectory } from "../../core/kit/tenant-directory.ts";

export interface MemoryTenantDirectory extends TenantDirectory {
  /** Active from now on; `currency` (when given) is the tenant's from now on. */
  activate(tenantId: string, currency?: string): void;
  disable(tenantId: string): void;
}

/**
 * Active tenants in a set, and the currencies of those given one: tests, and processes whose
 * tenants are fixed at start-up.
 */
export function createMemoryTenantDirectory(
  active: Iterable<string> = [],
  currencies: Readonly<Record<string, string>> = {},
): MemoryTenantDirectory {
  const tenants = new Set<string>(active);
  const currencyByTenant = new Map<string, string>(Object.entries(currencies));
  return {
    async isActive(tenantId: TenantId) {
      return tenants.has(tenantId);
    },
    async currencyOf(tenantId: TenantId) {
      return currencyByTenant.get(tenantId);
    },
    activate(tenantId, currency) {
      tenants.add(tenantId);
      if (currency) currencyByTenant.set(tenantId, currency);
    },
    disable(tenantId) {
      tenants.delete(tenantId);
    },
  };
}
