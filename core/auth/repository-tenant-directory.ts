import type { Clock } from "../kit/clock.ts";
import type { TenantId } from "../kit/request-context.ts";
import type { TenantDirectory } from "../kit/tenant-directory.ts";
import type { TenantRepository } from "./tenant-repository.ts";

/**
 * The auth context's own answer to "may this tenant be served, in which currency?", read from
 * its tenant table and remembered for `ttlMs`, so a disabled tenant is refused everywhere within
 * that time without a database read per call. (The embedded process hands it to catalog too.)
 */
export function repositoryTenantDirectory(tenants: TenantRepository, clock: Clock, ttlMs = 5_000): TenantDirectory {
  const remembered = new Map<TenantId, { active: boolean; currency: string | undefined; until: number }>();
  async function lookUp(tenantId: TenantId) {
    const now = clock.now().getTime();
    const hit = remembered.get(tenantId);
    if (hit && hit.until > now) return hit;
    const tenant = await tenants.find(tenantId);
    const fresh = { active: tenant?.isActive ?? false, currency: tenant?.snapshot().currency, until: now + ttlMs };
    remembered.set(tenantId, fresh);
    return fresh;
  }
  return {
    isActive: async (tenantId) => (await lookUp(tenantId)).active,
    currencyOf: async (tenantId) => (await lookUp(tenantId)).currency,
  };
}
