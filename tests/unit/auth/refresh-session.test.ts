import { beforeEach, describe, expect, it } from "vitest";
import { login } from "../../../core/auth/login.ts";
import { refreshSession } from "../../../core/auth/refresh-session.ts";
import type { SessionTokens } from "../../../core/auth/session-tokens.ts";
import { acme, authFixture, context, DAY, globex, HOUR, rejection, source } from "./support/auth-fixture.ts";

describe("refresh", () => {
  let f: ReturnType<typeof authFixture>;
  let first: SessionTokens;
  beforeEach(async () => {
    f = authFixture();
    await f.addUser({ userId: "u-ann", email: "ann@example.com", password: "correct horse battery" });
    first = await login(f.deps, context(), { email: "ann@example.com", password: "correct horse battery", source });
  });

  it("when the current refresh token is spent, then a new pair comes back in the same session and the old token is dead", async () => {
    f.clock.advance(HOUR);
    const second = await refreshSession(f.deps, context(), first.refreshToken);
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(f.issuer.issued.at(-1)).toMatchObject({ userId: "u-ann", sessionId: first.sessionId });
    const session = (await f.sessions.find(acme, first.sessionId))!.snapshot();
    expect(session.lastRefreshedAt).toEqual(f.clock.now());
    expect(second.refreshTokenExpiresAt).toEqual(new Date(f.clock.now().getTime() + 7 * DAY));
  });

  it("when a spent token is used again, then UNAUTHENTICATED and the whole family is revoked: the newest token is dead too", async () => {
    const second = await refreshSession(f.deps, context(), first.refreshToken);
    const reuse = await rejection(refreshSession(f.deps, context(), first.refreshToken));
    expect(reuse).toMatchObject({ kind: "unauthenticated", code: "AUTH.REFRESH_TOKEN_INVALID" });
    expect((await f.sessions.find(acme, first.sessionId))!.snapshot()).toMatchObject({ revokedReason: "refresh_token_reused" });
    expect((await rejection(refreshSession(f.deps, context(), second.refreshToken))).kind).toBe("unauthenticated");
  });

  it("when two refreshes race with one token, then one wins and the loser's reuse revokes the family", async () => {
    const results = await Promise.allSettled([
      refreshSession(f.deps, context(), first.refreshToken),
      refreshSession(f.deps, context(), first.refreshToken),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const winner = results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<SessionTokens>;
    expect((await rejection(refreshSession(f.deps, context(), winner.value.refreshToken))).kind).toBe("unauthenticated");
  });

  it("when the token is unknown, or shown to another tenant, then UNAUTHENTICATED and nothing is revoked", async () => {
    expect((await rejection(refreshSession(f.deps, context(), "A".repeat(43)))).code).toBe("AUTH.REFRESH_TOKEN_INVALID");
    expect((await rejection(refreshSession(f.deps, context(globex), first.refreshToken))).code).toBe(
      "AUTH.REFRESH_TOKEN_INVALID",
    );
    await expect(refreshSession(f.deps, context(), first.refreshToken)).resolves.toBeDefined();
  });

  it("when the session has been idle longer than the idle timeout, then UNAUTHENTICATED", async () => {
    f.clock.advance(7 * DAY);
    expect((await rejection(refreshSession(f.deps, context(), first.refreshToken))).kind).toBe("unauthenticated");
  });

  it("when refreshed often, then the session still ends at its absolute expiry", async () => {
    let token = first.refreshToken;
    for (let day = 0; day < 29; day++) {
      f.clock.advance(DAY);
      token = (await refreshSession(f.deps, context(), token)).refreshToken;
    }
    const last = await refreshSession(f.deps, context(), token);
    expect(last.refreshTokenExpiresAt).toEqual(new Date(new Date("2026-11-01T10:00:00.000Z").getTime() + 30 * DAY));
    f.clock.advance(DAY);
    expect((await rejection(refreshSession(f.deps, context(), last.refreshToken))).kind).toBe("unauthenticated");
  });

  it("when the user was disabled meanwhile, then the refresh fails and the session ends", async () => {
    f.users.put(acme, { userId: "u-ann", status: "disabled", roles: ["customer"], emailVerified: true });
    expect((await rejection(refreshSession(f.deps, context(), first.refreshToken))).kind).toBe("unauthenticated");
    expect((await f.sessions.find(acme, first.sessionId))!.snapshot().revokedReason).toBe("user_inactive");
  });

  it("when the user's roles changed, then the new access token carries the new roles", async () => {
    f.users.put(acme, { userId: "u-ann", status: "active", roles: ["customer", "tenant_admin"], emailVerified: true });
    await refreshSession(f.deps, context(), first.refreshToken);
    expect(f.issuer.issued.at(-1)?.roles).toEqual(["customer", "tenant_admin"]);
  });

  it("when the token is empty or over-long, then INVALID_ARGUMENT names refresh_token", async () => {
    expect((await rejection(refreshSession(f.deps, context(), ""))).field).toBe("refresh_token");
    expect((await rejection(refreshSession(f.deps, context(), "x".repeat(513)))).field).toBe("refresh_token");
  });
});
