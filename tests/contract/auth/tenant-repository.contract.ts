import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Tenant } from "../../../core/auth/tenant.ts";
import type { TenantRepository } from "../../../core/auth/tenant-repository.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { parseTenantId, type RequestContext, type TenantId } from "../../../core/kit/request-context.ts";
import { domainFailure } from "../../support/domain-failure.ts";

export interface TenantRepositoryHarness {
  readonly repository: TenantRepository;
  /** The integration events stored with the tenants, oldest first. */
  recordedEvents(): Promise<IntegrationEvent[]>;
  dispose(): Promise<void>;
}

const operator: RequestContext = {
  tenantId: parseTenantId("platform"),
  caller: { userId: "operator-1", roles: ["platform_operator"] },
  correlationId: "corr-tenants",
  signal: new AbortController().signal,
};

const at = new Date("2026-11-01T10:00:00.000Z");
const later = new Date("2026-11-02T10:00:00.000Z");

function newTenant(id: string): Tenant {
  return Tenant.create({ id: parseTenantId(id), displayName: `Shop ${id}`, currency: "EUR", defaultLocale: "en" }, at);
}

/** The behaviour every TenantRepository adapter must show, whatever stores it. */
export function tenantRepositoryContract(name: string, open: () => Promise<TenantRepositoryHarness>): void {
  describe(`TenantRepository contract: ${name}`, () => {
    let harness: TenantRepositoryHarness;
    beforeEach(async () => {
      harness = await open();
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it("when a tenant is added, then it is found again with the same state", async () => {
      const tenant = newTenant("acme");
      await harness.repository.add(tenant, operator);
      const found = await harness.repository.find("acme" as TenantId);
      expect(found?.snapshot()).toEqual(tenant.snapshot());
      expect(await harness.repository.find("nobody" as TenantId)).toBeUndefined();
    });

    it("when a tenant is added, then its TenantCreated event is stored with it, keyed by the tenant", async () => {
      await harness.repository.add(newTenant("acme"), operator);
      const events = await harness.recordedEvents();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: "shop.events.v1.TenantCreated",
        topic: "tenant-events",
        key: "acme",
        tenantId: "acme",
        correlationId: "corr-tenants",
      });
    });

    it("when an id is taken, then adding again is ALREADY_EXISTS and stores no event", async () => {
      await harness.repository.add(newTenant("acme"), operator);
      const error = await domainFailure(harness.repository.add(newTenant("acme"), operator));
      expect(error.kind).toBe("already_exists");
      expect(await harness.recordedEvents()).toHaveLength(1);
    });

    it("when a tenant is changed, then the change and its event are stored", async () => {
      await harness.repository.add(newTenant("acme"), operator);
      const tenant = (await harness.repository.find("acme" as TenantId))!;
      tenant.disable("unpaid invoices", later);
      await harness.repository.update(tenant, operator);
      const stored = (await harness.repository.find("acme" as TenantId))!.snapshot();
      expect(stored).toMatchObject({ status: "disabled", disabledReason: "unpaid invoices", version: 2, updatedAt: later });
      expect((await harness.recordedEvents()).map((e) => e.type)).toEqual([
        "shop.events.v1.TenantCreated",
        "shop.events.v1.TenantDisabled",
      ]);
    });

    it("when two copies are changed, then the second save is a conflict and stores nothing", async () => {
      await harness.repository.add(newTenant("acme"), operator);
      const first = (await harness.repository.find("acme" as TenantId))!;
      const second = (await harness.repository.find("acme" as TenantId))!;
      first.disable("fraud", later);
      await harness.repository.update(first, operator);
      second.disable("another reason", later);
      const error = await domainFailure(harness.repository.update(second, operator));
      expect(error.kind).toBe("conflict");
      expect((await harness.repository.find("acme" as TenantId))!.snapshot().disabledReason).toBe("fraud");
      expect(await harness.recordedEvents()).toHaveLength(2);
    });

    it("when nothing changed, then an update writes nothing", async () => {
      await harness.repository.add(newTenant("acme"), operator);
      const tenant = (await harness.repository.find("acme" as TenantId))!;
      tenant.enable(later); // already active: no change
      await harness.repository.update(tenant, operator);
      expect((await harness.repository.find("acme" as TenantId))!.snapshot().version).toBe(1);
      expect(await harness.recordedEvents()).toHaveLength(1);
    });

    it("when listing page by page, then every tenant comes once, in id order, filtered by status", async () => {
      for (const id of ["echo", "alpha", "delta", "bravo", "charlie"]) await harness.repository.add(newTenant(id), operator);
      const delta = (await harness.repository.find("delta" as TenantId))!;
      delta.disable("closed", later);
      await harness.repository.update(delta, operator);

      const seen: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await harness.repository.list({ pageSize: 2, ...(pageToken ? { pageToken } : {}) });
        expect(page.tenants.length).toBeLessThanOrEqual(2);
        seen.push(...page.tenants.map((t) => t.id));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(seen).toEqual(["alpha", "bravo", "charlie", "delta", "echo"]);

      const active = await harness.repository.list({ pageSize: 10, status: "active" });
      expect(active.tenants.map((t) => t.id)).toEqual(["alpha", "bravo", "charlie", "echo"]);
      expect(active.nextPageToken).toBeUndefined();
    });

    it("when a page token was not issued by the service, then INVALID_ARGUMENT names it", async () => {
      const error = await domainFailure(harness.repository.list({ pageSize: 2, pageToken: "not-a-token" }));
      expect(error.kind).toBe("invalid");
      expect(error.field).toBe("page.page_token");
    });
  });
}
