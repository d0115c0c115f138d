import { describe, expect, it } from "vitest";
import { requireCaller, requireRole, requireSelfOrRole } from "../../../core/kit/caller-guards.ts";
import { parseTenantId, type Caller, type RequestContext } from "../../../core/kit/request-context.ts";
import { Roles } from "../../../core/kit/roles.ts";

const ctx = (caller: Caller | undefined): RequestContext => ({
  tenantId: parseTenantId("acme"),
  caller,
  correlationId: "c",
  signal: new AbortController().signal,
});
const customer: Caller = { userId: "u-1", roles: [Roles.customer] };
const admin: Caller = { userId: "u-9", roles: [Roles.tenantAdmin] };

describe("caller guards", () => {
  it("when nobody is logged in, then every guard is UNAUTHENTICATED", () => {
    for (const guard of [
      () => requireCaller(ctx(undefined)),
      () => requireRole(ctx(undefined), Roles.customer),
      () => requireSelfOrRole(ctx(undefined), "u-1", Roles.tenantAdmin),
    ]) {
      expect(guard).toThrow(expect.objectContaining({ kind: "unauthenticated" }));
    }
  });

  it("when the caller lacks the role, then PERMISSION_DENIED; with any one of the roles, the caller", () => {
    expect(() => requireRole(ctx(customer), Roles.tenantAdmin)).toThrow(expect.objectContaining({ kind: "permission_denied" }));
    expect(requireRole(ctx(customer), Roles.tenantAdmin, Roles.customer)).toBe(customer);
  });

  it("when a user acts on itself or holds the role, then allowed; on someone else without it, PERMISSION_DENIED", () => {
    expect(requireSelfOrRole(ctx(customer), "u-1", Roles.tenantAdmin)).toBe(customer);
    expect(requireSelfOrRole(ctx(admin), "u-1", Roles.tenantAdmin)).toBe(admin);
    expect(() => requireSelfOrRole(ctx(customer), "u-2", Roles.tenantAdmin)).toThrow(
      expect.objectContaining({ kind: "permission_denied" }),
    );
  });
});
