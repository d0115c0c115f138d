import { beforeEach, describe, expect, it } from "vitest";
import { login } from "../../../core/auth/login.ts";
import { unavailable } from "../../../core/kit/domain-error.ts";
import { acme, authFixture, context, globex, MINUTE, rejection, source } from "./support/auth-fixture.ts";

describe("login", () => {
  let f: ReturnType<typeof authFixture>;
  beforeEach(async () => {
    f = authFixture();
    await f.addUser({
      userId: "u-ann",
      email: "ann@example.com",
      password: "correct horse battery",
      roles: ["customer", "tenant_admin"],
    });
  });

  it("when the email and password are right, then a session opens and the access token carries tenant, user, roles and session", async () => {
    const tokens = await login(f.deps, context(), { email: "Ann@Example.com", password: "correct horse battery", source });
    expect(tokens).toMatchObject({ userId: "u-ann", sessionId: "session-1" });
    expect(tokens.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(f.issuer.issued).toEqual([
      { tenantId: "acme", userId: "u-ann", roles: ["customer", "tenant_admin"], sessionId: "session-1" },
    ]);
    const session = (await f.sessions.find(acme, "session-1"))!.snapshot();
    expect(session).toMatchObject({ userId: "u-ann", userAgent: "test-agent/1.0", ipAddressMasked: "203.0.113.0" });
    expect(session.currentTokenDigest).not.toContain(tokens.refreshToken);
    expect(tokens.refreshTokenExpiresAt).toEqual(session.expiresAt);
  });

  it("when the email is unknown or the password wrong, then the same UNAUTHENTICATED after the same hash work", async () => {
    const unknown = await rejection(
      login(f.deps, context(), { email: "nobody@example.com", password: "correct horse battery", source }),
    );
    const wrong = await rejection(login(f.deps, context(), { email: "ann@example.com", password: "wrong password!!", source }));
    expect([unknown.kind, unknown.code, unknown.message]).toEqual([wrong.kind, wrong.code, wrong.message]);
    expect(unknown).toMatchObject({ kind: "unauthenticated", message: "invalid email or password" });
    // One verification each: a dummy hash for the unknown email, the real one for the wrong password.
    expect(f.hasher.verifications).toHaveLength(2);
    expect(f.hasher.verifications[0]).not.toBe(f.hasher.verifications[1]);
    expect(f.issuer.issued).toHaveLength(0);
  });

  it("when the user is disabled or unknown to users, then the same UNAUTHENTICATED and no session", async () => {
    await f.addUser({ userId: "u-bob", email: "bob@example.com", password: "bob's password", status: "disabled" });
    const disabled = await rejection(login(f.deps, context(), { email: "bob@example.com", password: "bob's password", source }));
    expect(disabled).toMatchObject({ kind: "unauthenticated", code: "AUTH.INVALID_CREDENTIALS" });
    await f.credentials.save({
      ...(await f.credentials.findByUser(acme, "u-bob"))!,
      userId: "u-ghost",
      email: "ghost@example.com",
    });
    const ghost = await rejection(login(f.deps, context(), { email: "ghost@example.com", password: "bob's password", source }));
    expect(ghost.code).toBe("AUTH.INVALID_CREDENTIALS");
    expect(await f.sessions.listActive({ tenantId: acme, userId: "u-bob", now: f.clock.now(), pageSize: 10 })).toMatchObject({
      sessions: [],
    });
  });

  it("when the same email exists in another tenant, then only that tenant's password opens a session there", async () => {
    await f.addUser({ tenant: globex, userId: "u-ann-globex", email: "ann@example.com", password: "globex password" });
    expect(
      (await rejection(login(f.deps, context(acme), { email: "ann@example.com", password: "globex password", source }))).kind,
    ).toBe("unauthenticated");
    const tokens = await login(f.deps, context(globex), { email: "ann@example.com", password: "globex password", source });
    expect(tokens.userId).toBe("u-ann-globex");
  });

  it("when the account has failed its limit, then RESOURCE_EXHAUSTED with a retry hint, even with the right password, until the window ends", async () => {
    for (let i = 0; i < 3; i++) {
      await rejection(login(f.deps, context(), { email: "ann@example.com", password: `wrong password ${i}`, source }));
    }
    const verificationsBefore = f.hasher.verifications.length;
    const limited = await rejection(
      login(f.deps, context(), { email: "ann@example.com", password: "correct horse battery", source }),
    );
    expect(limited).toMatchObject({ kind: "rate_limited", code: "AUTH.TOO_MANY_LOGIN_ATTEMPTS", retryAfterMs: 15 * MINUTE });
    expect(f.hasher.verifications).toHaveLength(verificationsBefore); // refused before any hashing
    f.clock.advance(15 * MINUTE);
    await expect(
      login(f.deps, context(), { email: "ann@example.com", password: "correct horse battery", source }),
    ).resolves.toMatchObject({
      userId: "u-ann",
    });
  });

  it("when one source fails against many accounts, then the source limit stops it, and another source is not affected", async () => {
    for (let i = 0; i < 5; i++) {
      await rejection(login(f.deps, context(), { email: `victim${i}@example.com`, password: "guess guess", source }));
    }
    const limited = await rejection(
      login(f.deps, context(), { email: "ann@example.com", password: "correct horse battery", source }),
    );
    expect(limited).toMatchObject({ kind: "rate_limited", code: "AUTH.TOO_MANY_LOGIN_ATTEMPTS_FROM_SOURCE" });
    expect(limited.retryAfterMs).toBeGreaterThan(0);
    const elsewhere = { ...source, address: "198.51.100.1" };
    await expect(
      login(f.deps, context(), { email: "ann@example.com", password: "correct horse battery", source: elsewhere }),
    ).resolves.toBeDefined();
  });

  it("when a login succeeds, then the account's earlier failures are forgiven", async () => {
    for (let i = 0; i < 2; i++)
      await rejection(login(f.deps, context(), { email: "ann@example.com", password: "nope nope", source }));
    await login(f.deps, context(), { email: "ann@example.com", password: "correct horse battery", source });
    for (let i = 0; i < 2; i++)
      await rejection(login(f.deps, context(), { email: "ann@example.com", password: "nope nope", source }));
    await expect(
      login(f.deps, context(), { email: "ann@example.com", password: "correct horse battery", source }),
    ).resolves.toBeDefined();
  });

  it("when the email is malformed or the password too long, then INVALID_ARGUMENT names the field and nothing is counted or hashed", async () => {
    expect((await rejection(login(f.deps, context(), { email: "not-an-email", password: "x", source }))).field).toBe("email");
    expect((await rejection(login(f.deps, context(), { email: `${"a".repeat(250)}@x.io`, password: "x", source }))).field).toBe(
      "email",
    );
    expect(
      (await rejection(login(f.deps, context(), { email: "ann@example.com", password: "p".repeat(257), source }))).field,
    ).toBe("password");
    expect((await rejection(login(f.deps, context(), { email: "ann@example.com", password: "", source }))).field).toBe(
      "password",
    );
    expect(f.hasher.verifications).toHaveLength(0);
    for (let i = 0; i < 3; i++) await rejection(login(f.deps, context(), { email: "ann@example.com", password: "", source }));
    await expect(
      login(f.deps, context(), { email: "ann@example.com", password: "correct horse battery", source }),
    ).resolves.toBeDefined();
  });

  it("when the stored hash was made with old parameters, then a successful login stores a new one", async () => {
    f.hasher.version = "v2";
    await login(f.deps, context(), { email: "ann@example.com", password: "correct horse battery", source });
    expect((await f.credentials.findByUser(acme, "u-ann"))!.passwordHash).toBe("fake$v2$correct horse battery");
  });

  it("when the source address is unknown, then only the account is limited and the session shows no address", async () => {
    const tokens = await login(f.deps, context(), {
      email: "ann@example.com",
      password: "correct horse battery",
      source: { address: undefined, userAgent: "" },
    });
    expect((await f.sessions.find(acme, tokens.sessionId))!.snapshot().ipAddressMasked).toBe("");
  });
});

describe("login while users is down", () => {
  it("when users cannot answer, then UNAVAILABLE, and retrying with the right password never locks the account", async () => {
    const f = authFixture();
    await f.addUser({ userId: "u-ann", email: "ann@example.com", password: "correct horse battery" });
    const down = new Error("users down");
    f.users.find = async () => {
      throw unavailable("USERS.UNAVAILABLE", "users cannot answer", down);
    };
    for (let i = 0; i < 5; i++) {
      const error = await rejection(
        login(f.deps, context(), { email: "ann@example.com", password: "correct horse battery", source }),
      );
      expect(error.kind).toBe("unavailable");
    }
  });
});
