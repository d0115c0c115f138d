import { beforeEach, describe, expect, it } from "vitest";
import { createTenant, disableTenant, enableTenant, getTenant, listTenants } from "../../../core/auth/tenant-admin.ts";
import { fixedClock } from "../../../core/kit/clock.ts";
import { DomainError } from "../../../core/kit/domain-error.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { MemoryTenantRepository } from "../../../adapters/memory/auth/memory-tenant-repository.ts";
import { tenantEventMapper } from "../../../services/auth/tenant-event-mapper.ts";

const context = (roles: string[] | undefined): RequestContext => ({
  tenantId: parseTenantId("platform"),
  caller: roles ? { userId: "u-1", roles } : undefined,
  correlationId: "c-1",
  signal: new AbortController().signal,
});
const operator = context(["platform_operator"]);
const acme = { id: parseTenantId("acme"), displayName: "ACME", currency: "EUR", defaultLocale: "en" };

async function rejection(work: Promise<unknown>): Promise<DomainError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("tenant administration", () => {
  let repository: MemoryTenantRepository;
  let deps: { tenants: MemoryTenantRepository; clock: ReturnType<typeof fixedClock> };
  beforeEach(() => {
    repository = new MemoryTenantRepository(tenantEventMapper);
    deps = { tenants: repository, clock: fixedClock(new Date("2026-11-01T00:00:00Z")) };
  });

  it("when an anonymous caller creates a tenant, then UNAUTHENTICATED; a customer gets PERMISSION_DENIED", async () => {
    expect((await rejection(createTenant(deps, context(undefined), acme))).kind).toBe("unauthenticated");
    expect((await rejection(createTenant(deps, context(["customer", "tenant_admin"]), acme))).kind).toBe("permission_denied");
    expect(repository.outbox).toHaveLength(0);
  });

  it("when an operator repeats the same CreateTenant, then the tenant is answered again and created once", async () => {
    const first = await createTenant(deps, operator, acme);
    deps.clock.advance(60_000);
    const again = await createTenant(deps, operator, acme);
    expect(again).toEqual(first);
    expect(repository.outbox.map((e) => e.type)).toEqual(["shop.events.v1.TenantCreated"]);
  });

  it("when the id is taken by a different tenant, then ALREADY_EXISTS", async () => {
    await createTenant(deps, operator, acme);
    const error = await rejection(createTenant(deps, operator, { ...acme, displayName: "Another ACME" }));
    expect(error.kind).toBe("already_exists");
    expect(error.code).toBe("TENANT.ALREADY_EXISTS");
  });

  it("when a tenant is disabled twice, then it stays disabled with the first reason and one event", async () => {
    await createTenant(deps, operator, acme);
    await disableTenant(deps, operator, "acme", "chargebacks");
    const again = await disableTenant(deps, operator, "acme", "second thoughts");
    expect(again).toMatchObject({ status: "disabled", disabledReason: "chargebacks" });
    expect(repository.outbox.map((e) => e.type)).toEqual(["shop.events.v1.TenantCreated", "shop.events.v1.TenantDisabled"]);
    expect(await enableTenant(deps, operator, "acme")).toMatchObject({ status: "active", disabledReason: undefined });
  });

  it("when a tenant does not exist, then NOT_FOUND; when the id is malformed, then INVALID_ARGUMENT", async () => {
    expect((await rejection(getTenant(deps, operator, "nobody"))).kind).toBe("not_found");
    expect((await rejection(getTenant(deps, operator, "Bad Id!"))).kind).toBe("invalid");
  });

  it("when a page size is larger than allowed, then the page is capped", async () => {
    for (let i = 0; i < 120; i++)
      await createTenant(deps, operator, { ...acme, id: parseTenantId(`shop-${String(i).padStart(3, "0")}`) });
    const page = await listTenants(deps, operator, { pageSize: 1_000 });
    expect(page.tenants).toHaveLength(100);
    expect(page.nextPageToken).toBeDefined();
  });
});
