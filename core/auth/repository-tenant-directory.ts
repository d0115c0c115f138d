import type { Clock } from "../kit/clock.ts";
import type { TenantId } from "../kit/request-context.ts";
import type { TenantDirectory } from "../kit/tenant-directory.ts";
import type { TenantRepository } from "./tenant-repository.ts";

/**
 * The auth context's own answer to "may this tenant be served?", read from its tenant table
 * and remembered for `ttlMs`, so a disabled tenant is refused everywhere within that time
 * without a database read per call.
 */
export function repositoryTenantDirectory(tenants: TenantRepository, clock: Clock, ttlMs = 5_000): TenantDirectory {
  const remembered = new Map<TenantId, { active: boolean; until: number }>();
  return {
    async isActive(tenantId) {
      const now = clock.now().getTime();
      const hit = remembered.get(tenantId);
      if (hit && hit.until > now) return hit.active;
      const active = (await tenants.find(tenantId))?.isActive ?? false;
      remembered.set(tenantId, { active, until: now + ttlMs });
      return active;
    },
  };
}
