import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseTenantId, type TenantId } from "../../../core/kit/request-context.ts";
import type { ProfileCache } from "../../../core/users/profile-cache.ts";
import type { UserView } from "../../../core/users/user-view.ts";

export interface ProfileCacheHarness {
  /** A cache whose entries live `ttl` (as short as the adapter allows). */
  readonly cache: ProfileCache;
  /** Lets the entries' time to live pass. */
  ttlPassed(): Promise<void>;
  /** A cache of the same kind whose server cannot be reached, when the adapter has a server. */
  unreachable?(): Promise<ProfileCache>;
  dispose(): Promise<void>;
}

/** Tenant ids no other run shares (Redis keys outlive a test). */
function freshTenant(name: string): TenantId {
  return parseTenantId(`${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
}

function aView(id: string, overrides: Partial<UserView> = {}): UserView {
  return {
    id,
    email: `${id}@example.com`,
    emailVerified: true,
    displayName: "Zoë",
    phoneNumber: "+14155550100",
    status: "active",
    roles: ["customer", "tenant_admin"],
    createdAt: new Date("2026-11-01T10:00:00.123Z"),
    updatedAt: new Date("2026-11-02T10:00:00.456Z"),
    ...overrides,
  };
}

/** The behaviour every ProfileCache adapter must show. */
export function profileCacheContract(name: string, open: () => Promise<ProfileCacheHarness>): void {
  describe(`ProfileCache contract: ${name}`, () => {
    let harness: ProfileCacheHarness;
    let acme: TenantId;
    let globex: TenantId;
    beforeEach(async () => {
      harness = await open();
      acme = freshTenant("acme");
      globex = freshTenant("globex");
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it("when a profile is put, then it is read back equal; before that it is a miss", async () => {
      expect(await harness.cache.get(acme, "u-1")).toBeUndefined();
      await harness.cache.put(acme, aView("u-1"));
      expect(await harness.cache.get(acme, "u-1")).toEqual(aView("u-1"));
      await harness.cache.put(acme, aView("u-2", { phoneNumber: undefined }));
      expect(await harness.cache.get(acme, "u-2")).toEqual(aView("u-2", { phoneNumber: undefined }));
    });

    it("when two tenants have the same user id, then each reads only its own copy", async () => {
      await harness.cache.put(acme, aView("u-1", { displayName: "Acme's" }));
      expect(await harness.cache.get(globex, "u-1")).toBeUndefined();
      await harness.cache.put(globex, aView("u-1", { displayName: "Globex's" }));
      expect((await harness.cache.get(acme, "u-1"))?.displayName).toBe("Acme's");
      await harness.cache.invalidate(globex, "u-1");
      expect((await harness.cache.get(acme, "u-1"))?.displayName).toBe("Acme's");
    });

    it("when a profile is invalidated, then the next read is a miss", async () => {
      await harness.cache.put(acme, aView("u-1"));
      await harness.cache.invalidate(acme, "u-1");
      expect(await harness.cache.get(acme, "u-1")).toBeUndefined();
      await harness.cache.invalidate(acme, "never-cached");
    });

    it("when the time to live passes, then the copy is gone", async () => {
      await harness.cache.put(acme, aView("u-1"));
      await harness.ttlPassed();
      expect(await harness.cache.get(acme, "u-1")).toBeUndefined();
    });

    it("when the server cannot be reached, then reads miss and writes are skipped, quickly and without an error", async () => {
      if (!harness.unreachable) return;
      const broken = await harness.unreachable();
      const started = performance.now();
      expect(await broken.get(acme, "u-1")).toBeUndefined();
      await broken.put(acme, aView("u-1"));
      await broken.invalidate(acme, "u-1");
      expect(performance.now() - started).toBeLessThan(2_000);
    });
  });
}
