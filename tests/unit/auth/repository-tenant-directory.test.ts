import { describe, expect, it } from "vitest";
import { repositoryTenantDirectory } from "../../../core/auth/repository-tenant-directory.ts";
import { createTenant, disableTenant } from "../../../core/auth/tenant-admin.ts";
import { fixedClock } from "../../../core/kit/clock.ts";
import { parseTenantId, type RequestContext, type TenantId } from "../../../core/kit/request-context.ts";
import { MemoryTenantRepository } from "../../../adapters/memory/auth/memory-tenant-repository.ts";
import { tenantEventMapper } from "../../../services/auth/tenant-event-mapper.ts";

const operator: RequestContext = {
  tenantId: parseTenantId("platform"),
  caller: { userId: "op", roles: ["platform_operator"] },
  correlationId: "c",
  signal: new AbortController().signal,
};

describe("the auth context's tenant directory", () => {
  it("when a tenant is disabled, then it is refused once the remembered answer expires", async () => {
    const clock = fixedClock(new Date("2026-11-01T00:00:00Z"));
    const deps = { tenants: new MemoryTenantRepository(tenantEventMapper), clock };
    await createTenant(deps, operator, { id: parseTenantId("acme"), displayName: "ACME", currency: "EUR", defaultLocale: "en" });
    const directory = repositoryTenantDirectory(deps.tenants, clock, 5_000);
    expect(await directory.isActive("acme" as TenantId)).toBe(true);
    expect(await directory.isActive("nobody" as TenantId)).toBe(false);

    await disableTenant(deps, operator, "acme", "fraud");
    expect(await directory.isActive("acme" as TenantId)).toBe(true); // still remembered
    clock.advance(5_001);
    expect(await directory.isActive("acme" as TenantId)).toBe(false);
  });

  it("when tenants were created with their currencies, then each one's is answered, also once disabled; an unknown tenant has none", async () => {
    const clock = fixedClock(new Date("2026-11-01T00:00:00Z"));
    const deps = { tenants: new MemoryTenantRepository(tenantEventMapper), clock };
    await createTenant(deps, operator, { id: parseTenantId("acme"), displayName: "ACME", currency: "EUR", defaultLocale: "en" });
    await createTenant(deps, operator, {
      id: parseTenantId("globex"),
      displayName: "Globex",
      currency: "USD",
      defaultLocale: "en",
    });
    await disableTenant(deps, operator, "globex", "unpaid");
    const directory = repositoryTenantDirectory(deps.tenants, clock, 5_000);
    expect(await directory.currencyOf("acme" as TenantId)).toBe("EUR");
    expect(await directory.currencyOf("globex" as TenantId)).toBe("USD");
    expect(await directory.isActive("globex" as TenantId)).toBe(false);
    expect(await directory.currencyOf("nobody" as TenantId)).toBeUndefined();
  });
});
