import type { TenantId } from "../../core/kit/request-context.ts";
import type { TenantDirectory } from "../../core/kit/tenant-directory.ts";

export interface MemoryTenantDirectory extends TenantDirectory {
  activate(tenantId: string): void;
  disable(tenantId: string): void;
}

/** Active tenants in a set: tests, and processes whose tenants are fixed at start-up. */
export function createMemoryTenantDirectory(active: Iterable<string> = []): MemoryTenantDirectory {
  const tenants = new Set<string>(active);
  return {
    async isActive(tenantId: TenantId) {
      return tenants.has(tenantId);
    },
    activate(tenantId) {
      tenants.add(tenantId);
    },
    disable(tenantId) {
      tenants.delete(tenantId);
    },
  };
}
