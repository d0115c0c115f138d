import { beforeEach, describe, expect, it } from "vitest";
import { login } from "../../../core/auth/login.ts";
import { logout, logoutEverywhere } from "../../../core/auth/logout.ts";
import { listOwnSessions, revokeOwnSession } from "../../../core/auth/own-sessions.ts";
import { refreshSession } from "../../../core/auth/refresh-session.ts";
import { revokeSessionsOfDisabledUser } from "../../../core/auth/user-disabled.ts";
import { acme, authFixture, context, globex, MINUTE, rejection, source } from "./support/auth-fixture.ts";

describe("logout and the caller's sessions", () => {
  let f: ReturnType<typeof authFixture>;
  const loginAnn = async (tenant = acme) => {
    f.clock.advance(MINUTE);
    return login(f.deps, context(tenant), { email: "ann@example.com", password: "correct horse battery", source });
  };
  const ann = (sessionId?: string, tenant = acme) => context(tenant, { userId: "u-ann", roles: ["customer"], sessionId });
  beforeEach(async () => {
    f = authFixture();
    await f.addUser({ userId: "u-ann", email: "ann@example.com", password: "correct horse battery" });
    await f.addUser({ userId: "u-bob", email: "bob@example.com", password: "bob's password" });
  });

  it("when a session logs out, then its refresh token is dead, other sessions live on, and logging out again is fine", async () => {
    const phone = await loginAnn();
    const laptop = await loginAnn();
    await logout(f.deps, context(), phone.refreshToken);
    await logout(f.deps, context(), phone.refreshToken);
    await logout(f.deps, context(), "never-issued-token");
    expect((await rejection(refreshSession(f.deps, context(), phone.refreshToken))).kind).toBe("unauthenticated");
    await expect(refreshSession(f.deps, context(), laptop.refreshToken)).resolves.toBeDefined();
  });

  it("when logging out everywhere, then every session of the caller ends, the count says how many, and a replay counts 0", async () => {
    const phone = await loginAnn();
    await loginAnn();
    const bob = await login(f.deps, context(), { email: "bob@example.com", password: "bob's password", source });
    expect(await logoutEverywhere(f.deps, ann(phone.sessionId))).toBe(2);
    expect(await logoutEverywhere(f.deps, ann(phone.sessionId))).toBe(0);
    expect((await rejection(refreshSession(f.deps, context(), phone.refreshToken))).kind).toBe("unauthenticated");
    await expect(refreshSession(f.deps, context(), bob.refreshToken)).resolves.toBeDefined();
  });

  it("when anonymous, then logging out everywhere, listing and revoking sessions are UNAUTHENTICATED", async () => {
    expect((await rejection(logoutEverywhere(f.deps, context()))).kind).toBe("unauthenticated");
    expect((await rejection(listOwnSessions(f.deps, context(), {}))).kind).toBe("unauthenticated");
    expect((await rejection(revokeOwnSession(f.deps, context(), "session-1"))).kind).toBe("unauthenticated");
  });

  it("when listing, then only the caller's active sessions come, newest first, page by page, the current one marked", async () => {
    const sessions = [];
    for (let i = 0; i < 5; i++) sessions.push(await loginAnn());
    await login(f.deps, context(), { email: "bob@example.com", password: "bob's password", source });
    await logout(f.deps, context(), sessions[1]!.refreshToken);
    const seen: { id: string; current: boolean }[] = [];
    let pageToken: string | undefined;
    do {
      const page = await listOwnSessions(f.deps, ann(sessions[3]!.sessionId), { pageSize: 2, pageToken });
      expect(page.sessions.length).toBeLessThanOrEqual(2);
      seen.push(...page.sessions.map((s) => ({ id: s.id, current: s.current })));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual([
      { id: sessions[4]!.sessionId, current: false },
      { id: sessions[3]!.sessionId, current: true },
      { id: sessions[2]!.sessionId, current: false },
      { id: sessions[0]!.sessionId, current: false },
    ]);
  });

  it("when a page token was not issued by the service, then INVALID_ARGUMENT names it", async () => {
    expect((await rejection(listOwnSessions(f.deps, ann(), { pageToken: "garbage" }))).field).toBe("page.page_token");
  });

  it("when revoking one's own session, then it ends; another user's or another tenant's session is NOT_FOUND and lives on", async () => {
    const phone = await loginAnn();
    const bob = await login(f.deps, context(), { email: "bob@example.com", password: "bob's password", source });
    await revokeOwnSession(f.deps, ann(), phone.sessionId);
    await revokeOwnSession(f.deps, ann(), phone.sessionId); // idempotent
    expect((await rejection(refreshSession(f.deps, context(), phone.refreshToken))).kind).toBe("unauthenticated");
    expect((await rejection(revokeOwnSession(f.deps, ann(), bob.sessionId))).kind).toBe("not_found");
    expect((await rejection(revokeOwnSession(f.deps, ann(undefined, globex), phone.sessionId))).kind).toBe("not_found");
    expect((await rejection(revokeOwnSession(f.deps, ann(), "no-such-session"))).kind).toBe("not_found");
    await expect(refreshSession(f.deps, context(), bob.refreshToken)).resolves.toBeDefined();
  });

  it("when users disables a user, then every session of theirs ends, and a redelivery revokes nothing more", async () => {
    const phone = await loginAnn();
    await loginAnn();
    expect(await revokeSessionsOfDisabledUser(f.deps, context(), "u-ann")).toBe(2);
    expect(await revokeSessionsOfDisabledUser(f.deps, context(), "u-ann")).toBe(0);
    expect((await f.sessions.find(acme, phone.sessionId))!.snapshot().revokedReason).toBe("user_disabled");
  });

  it("when a user of another tenant with the same id is disabled, then this tenant's sessions live on", async () => {
    const phone = await loginAnn();
    expect(await revokeSessionsOfDisabledUser(f.deps, context(globex), "u-ann")).toBe(0);
    await expect(refreshSession(f.deps, context(), phone.refreshToken)).resolves.toBeDefined();
  });
});
