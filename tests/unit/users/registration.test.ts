import { describe, expect, it } from "vitest";
import { unavailable } from "../../../core/kit/domain-error.ts";
import { requestPasswordReset, resetPassword } from "../../../core/users/password-reset.ts";
import { register } from "../../../core/users/registration.ts";
import { decodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import { EmailVerificationRequestedSchema, UserRegisteredSchema } from "../../../gen/shop/events/v1/user_events_pb.ts";
import { aRegistration, anonymous, rejection, usersFixture } from "./support/users-fixture.ts";

describe("register", () => {
  it("when a customer registers, then the user and both events are stored together and auth gets the password", async () => {
    const fx = usersFixture();
    const user = await register(fx.deps, anonymous("acme"), aRegistration({ email: "Ada@Example.com" }));

    expect(user).toMatchObject({ email: "Ada@Example.com", emailVerified: false, status: "active", roles: ["customer"] });
    expect(fx.eventTypes()).toEqual(["UserRegistered", "EmailVerificationRequested"]);
    expect(fx.users.outbox.every((e) => e.key === user.id && e.tenantId === "acme" && e.topic === "user-events")).toBe(true);
    expect(decodeEvent(UserRegisteredSchema, fx.users.outbox[0]!)).toMatchObject({ email: "Ada@Example.com", locale: "en-GB" });
    expect(fx.credentials.calls).toEqual([
      { tenantId: "acme", userId: user.id, email: "ada@example.com", password: "correct horse battery", revokeSessions: false },
    ]);
    expect((await fx.users.find(anonymous().tenantId, user.id))!.passwordIsSet).toBe(true);
  });

  it("when the verification event goes out, then it carries the raw token and only its hash is stored", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous());
    const event = decodeEvent(EmailVerificationRequestedSchema, fx.users.outbox[1]!)!;
    expect(event.verificationToken).toBe("secret-1");
    expect(await fx.users.findToken(anonymous().tenantId, "email_verification", "secret-1")).toBeUndefined();
    expect(await fx.users.findToken(anonymous().tenantId, "email_verification", "sha256(secret-1)")).toMatchObject({
      userId: user.id,
      spentAt: undefined,
    });
  });

  it("when an email is taken in the tenant (in any case), then ALREADY_EXISTS; in another tenant it is a second user", async () => {
    const fx = usersFixture();
    const first = await fx.registered(anonymous("acme"), { email: "ada@example.com" });
    const error = await rejection(fx.registered(anonymous("acme"), { email: "ADA@example.com" }));
    expect(error).toMatchObject({ kind: "already_exists", code: "USER.EMAIL_TAKEN" });

    const other = await fx.registered(anonymous("globex"), { email: "ada@example.com" });
    expect(other.id).not.toBe(first.id);
    expect(fx.eventTypes()).toHaveLength(4);
  });

  it("when Register is replayed with its key, then the first answer comes back and nothing new is stored", async () => {
    const fx = usersFixture();
    const input = aRegistration();
    const first = await register(fx.deps, anonymous(), input);
    fx.clock.advance(5_000);
    const again = await register(fx.deps, anonymous(), input);
    expect(again).toEqual(first);
    expect(fx.eventTypes()).toEqual(["UserRegistered", "EmailVerificationRequested"]);
    expect(fx.credentials.calls).toHaveLength(1);
  });

  it("when a key comes back with another request, then INVALID_ARGUMENT names idempotency_key", async () => {
    const fx = usersFixture();
    const input = aRegistration();
    await register(fx.deps, anonymous(), input);
    const error = await rejection(register(fx.deps, anonymous(), { ...input, displayName: "Someone Else" }));
    expect(error).toMatchObject({ kind: "invalid", field: "idempotency_key" });
  });

  it("when auth is down, then Register fails UNAVAILABLE and a replay with the same key sets the password", async () => {
    const fx = usersFixture();
    fx.credentials.failNext(unavailable("AUTH.DOWN", "auth unreachable"));
    const input = aRegistration();
    expect((await rejection(register(fx.deps, anonymous(), input))).kind).toBe("unavailable");
    const stored = await fx.users.findByEmail(anonymous().tenantId, "ada@example.com");
    expect(stored?.passwordIsSet).toBe(false);

    const user = await register(fx.deps, anonymous(), input);
    expect(user.id).toBe(stored!.id);
    expect(fx.credentials.passwordOf("acme", user.id)).toBe("correct horse battery");
    expect((await fx.users.find(anonymous().tenantId, user.id))!.passwordIsSet).toBe(true);
    expect(fx.eventTypes()).toEqual(["UserRegistered", "EmailVerificationRequested"]);
  });

  it("when auth was down and the client never retried, then a password reset gives the user a first password", async () => {
    const fx = usersFixture();
    fx.credentials.failNext(unavailable("AUTH.DOWN", "auth unreachable"));
    await rejection(fx.registered(anonymous()));
    const user = (await fx.users.findByEmail(anonymous().tenantId, "ada@example.com"))!;

    await requestPasswordReset(fx.deps, anonymous(), "ada@example.com");
    await resetPassword(fx.deps, anonymous(), { token: fx.resetToken(user.id), newPassword: "a brand new secret" });

    expect(fx.credentials.passwordOf("acme", user.id)).toBe("a brand new secret");
    expect((await fx.users.find(anonymous().tenantId, user.id))!.passwordIsSet).toBe(true);
  });

  it("when a field is malformed or too long, then INVALID_ARGUMENT names it and nothing is written", async () => {
    const fx = usersFixture();
    const cases = [
      [{ email: "not-an-email" }, "email"],
      [{ email: `${"a".repeat(250)}@example.com` }, "email"],
      [{ displayName: "x".repeat(101) }, "display_name"],
      [{ displayName: "   " }, "display_name"],
      [{ password: "short" }, "password"],
      [{ locale: "English!" }, "locale"],
      [{ idempotencyKey: "short" }, "idempotency_key"],
    ] as const;
    for (const [overrides, field] of cases) {
      const error = await rejection(fx.registered(anonymous(), overrides));
      expect(error, field).toMatchObject({ kind: "invalid", field });
    }
    expect(fx.users.outbox).toHaveLength(0);
    expect(fx.credentials.calls).toHaveLength(0);
  });
});
