import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { UserAccess, UserAccessLookup } from "../../../core/auth/user-access.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";

export interface UserAccessLookupHarness {
  readonly lookup: UserAccessLookup;
  /** What users knows about a user of `tenant`. */
  put(tenant: string, access: UserAccess): void;
  dispose(): Promise<void>;
}

const ctx = (tenant: string): RequestContext => ({
  tenantId: parseTenantId(tenant),
  caller: undefined,
  correlationId: "corr-lookup",
  signal: new AbortController().signal,
});

/** The behaviour every UserAccessLookup adapter must show, whatever it asks. */
export function userAccessLookupContract(name: string, open: () => Promise<UserAccessLookupHarness>): void {
  describe(`UserAccessLookup contract: ${name}`, () => {
    let harness: UserAccessLookupHarness;
    beforeEach(async () => {
      harness = await open();
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it("when the user exists, then status, roles and verification come back as users said", async () => {
      harness.put("acme", { userId: "u-1", status: "active", roles: ["customer", "tenant_admin"], emailVerified: true });
      harness.put("acme", { userId: "u-2", status: "disabled", roles: ["customer"], emailVerified: false });
      expect(await harness.lookup.find(ctx("acme"), "u-1")).toEqual({
        userId: "u-1",
        status: "active",
        roles: ["customer", "tenant_admin"],
        emailVerified: true,
      });
      expect(await harness.lookup.find(ctx("acme"), "u-2")).toEqual({
        userId: "u-2",
        status: "disabled",
        roles: ["customer"],
        emailVerified: false,
      });
    });

    it("when the user is unknown, or belongs to another tenant, then undefined", async () => {
      harness.put("acme", { userId: "u-1", status: "active", roles: ["customer"], emailVerified: true });
      expect(await harness.lookup.find(ctx("acme"), "u-nobody")).toBeUndefined();
      expect(await harness.lookup.find(ctx("globex"), "u-1")).toBeUndefined();
    });
  });
}
