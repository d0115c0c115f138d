import { describe, expect, it } from "vitest";
import { Session } from "../../../core/auth/session.ts";
import { sessionPolicy } from "../../../core/auth/session-policy.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";

const HOUR = 3_600_000;
const policy = sessionPolicy({ idleTimeoutMs: 10 * HOUR, maxAgeMs: 24 * HOUR });
const t0 = new Date("2026-11-01T00:00:00.000Z");
const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);
const open = () =>
  Session.open(
    { id: "s-1", tenantId: parseTenantId("acme"), userId: "u-1", firstTokenDigest: "d-0", userAgent: "ua", ipAddressMasked: "" },
    t0,
    policy,
  );

describe("a session", () => {
  it("when opened, then it expires after the idle timeout, and its first digest is pending for the repository", () => {
    const session = open();
    expect(session.snapshot()).toMatchObject({ expiresAt: at(10), absoluteExpiresAt: at(24), version: 1 });
    expect(session.pullIssuedDigests()).toEqual(["d-0"]);
    expect(session.pullIssuedDigests()).toEqual([]);
    expect(session.isActive(at(9.9))).toBe(true);
    expect(session.isActive(at(10))).toBe(false);
  });

  it("when rotated, then the new digest is current, the idle expiry moves on, capped by the absolute one", () => {
    const session = Session.restore(open().snapshot());
    session.rotate("d-1", at(9), policy);
    expect(session.isCurrentToken("d-1")).toBe(true);
    expect(session.isCurrentToken("d-0")).toBe(false);
    expect(session.snapshot()).toMatchObject({ expiresAt: at(19), lastRefreshedAt: at(9), version: 2 });
    session.rotate("d-2", at(18), policy);
    expect(session.snapshot().expiresAt).toEqual(at(24));
    expect(session.pullIssuedDigests()).toEqual(["d-1", "d-2"]);
    expect(session.hasChanges).toBe(true);
  });

  it("when revoked twice, then the first reason stays and the second call changes nothing", () => {
    const session = open();
    expect(session.revoke("logout", at(1))).toBe(true);
    expect(session.revoke("user_disabled", at(2))).toBe(false);
    expect(session.snapshot()).toMatchObject({ revokedReason: "logout", revokedAt: at(1), version: 2 });
    expect(session.isActive(at(1))).toBe(false);
  });

  it("when an inactive session is rotated, then it is a programming error", () => {
    const session = open();
    session.revoke("logout", at(1));
    expect(() => session.rotate("d-1", at(2), policy)).toThrow(/not active/);
  });

  it("when the policy is inconsistent, then it is refused", () => {
    expect(() => sessionPolicy({ idleTimeoutMs: 2 * HOUR, maxAgeMs: HOUR })).toThrow(RangeError);
    expect(() => sessionPolicy({ idleTimeoutMs: 0, maxAgeMs: HOUR })).toThrow(RangeError);
  });
});
