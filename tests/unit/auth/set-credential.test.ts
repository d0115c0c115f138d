import { beforeEach, describe, expect, it } from "vitest";
import { login } from "../../../core/auth/login.ts";
import { refreshSession } from "../../../core/auth/refresh-session.ts";
import { setCredential } from "../../../core/auth/set-credential.ts";
import { acme, authFixture, context, globex, MINUTE, rejection, source } from "./support/auth-fixture.ts";

describe("setting a credential", () => {
  let f: ReturnType<typeof authFixture>;
  const set = (input: Partial<Parameters<typeof setCredential>[2]> = {}, tenant = acme) =>
    setCredential(f.deps, context(tenant), {
      userId: "u-ann",
      email: "Ann@Example.com",
      password: "first password",
      revokeSessions: false,
      ...input,
    });
  beforeEach(() => {
    f = authFixture();
    f.users.put(acme, { userId: "u-ann", status: "active", roles: ["customer"], emailVerified: false });
  });

  it("when a user registers, then the password is stored hashed, the email in lower case, and login works", async () => {
    await set();
    const stored = (await f.credentials.findByUser(acme, "u-ann"))!;
    expect(stored).toMatchObject({ email: "ann@example.com", passwordHash: "fake$v1$first password" });
    await expect(
      login(f.deps, context(), { email: "ann@example.com", password: "first password", source }),
    ).resolves.toBeDefined();
  });

  it("when set again, then the new password replaces the old one, creation time kept, and sessions live on unless asked", async () => {
    await set();
    const created = (await f.credentials.findByUser(acme, "u-ann"))!.createdAt;
    const session = await login(f.deps, context(), { email: "ann@example.com", password: "first password", source });
    f.clock.advance(MINUTE);
    await set({ password: "second password" });
    expect((await f.credentials.findByUser(acme, "u-ann"))!.createdAt).toEqual(created);
    expect(
      (await rejection(login(f.deps, context(), { email: "ann@example.com", password: "first password", source }))).kind,
    ).toBe("unauthenticated");
    await expect(refreshSession(f.deps, context(), session.refreshToken)).resolves.toBeDefined();
  });

  it("when a password is reset, then every session of the user ends", async () => {
    await set();
    const session = await login(f.deps, context(), { email: "ann@example.com", password: "first password", source });
    await set({ password: "after the reset", revokeSessions: true });
    expect((await rejection(refreshSession(f.deps, context(), session.refreshToken))).kind).toBe("unauthenticated");
    expect((await f.sessions.find(acme, session.sessionId))!.snapshot().revokedReason).toBe("password_reset");
  });

  it("when another user of the tenant has the email, then ALREADY_EXISTS and nothing changes; another tenant may have it", async () => {
    await set();
    const taken = await rejection(set({ userId: "u-other", email: "ANN@example.com" }));
    expect(taken).toMatchObject({ kind: "already_exists", code: "AUTH.EMAIL_TAKEN" });
    expect(await f.credentials.findByUser(acme, "u-other")).toBeUndefined();
    await expect(set({ userId: "u-other" }, globex)).resolves.toBeUndefined();
  });

  it("when the password breaks the policy, then INVALID_ARGUMENT names password and nothing is stored", async () => {
    expect((await rejection(set({ password: "short" }))).field).toBe("password");
    expect((await rejection(set({ password: "p".repeat(257) }))).field).toBe("password");
    expect((await rejection(set({ password: " ".repeat(12) }))).code).toBe("AUTH.PASSWORD_TOO_WEAK");
    expect((await rejection(set({ password: "ann@example.com" }))).code).toBe("AUTH.PASSWORD_TOO_WEAK");
    expect(f.hasher.hashes).toBe(0);
    expect(await f.credentials.findByUser(acme, "u-ann")).toBeUndefined();
  });

  it("when the email or user id is malformed, then INVALID_ARGUMENT names the field", async () => {
    expect((await rejection(set({ email: "no at sign" }))).field).toBe("email");
    expect((await rejection(set({ userId: "" }))).field).toBe("user_id");
    expect((await rejection(set({ userId: "u".repeat(65) }))).field).toBe("user_id");
  });
});
