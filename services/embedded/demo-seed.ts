import { Tenant } from "../../core/auth/tenant.ts";
import type { TenantRepository } from "../../core/auth/tenant-repository.ts";
import type { Clock } from "../../core/kit/clock.ts";
import { parseTenantId, type RequestContext } from "../../core/kit/request-context.ts";

const seeder: RequestContext = {
  tenantId: parseTenantId("platform"),
  caller: { userId: "demo-seed", roles: ["platform_operator"] },
  correlationId: "demo-seed",
  signal: new AbortController().signal,
};

const DEMO_TENANTS = [
  { id: parseTenantId("platform"), displayName: "shopmesh platform operators", currency: "EUR", defaultLocale: "en" },
  { id: parseTenantId("demo"), displayName: "Demo Store", currency: "EUR", defaultLocale: "en" },
];

/** Demo data for a first look; idempotent, so every start may run it. */
export async function seedDemoData(deps: { tenants: TenantRepository; clock: Clock }): Promise<void> {
  for (const input of DEMO_TENANTS) {
    if (await deps.tenants.find(input.id)) continue;
    await deps.tenants.add(Tenant.create(input, deps.clock.now()), seeder);
  }
}
