import { describe, expect, it } from "vitest";
import { invalidField } from "../../../core/kit/domain-error.ts";
import { disableUser } from "../../../core/users/user-admin.ts";
import { requestEmailVerification, verifyEmail } from "../../../core/users/email-verification.ts";
import { requestPasswordReset, resetPassword } from "../../../core/users/password-reset.ts";
import { decodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import { PasswordChangedSchema, PasswordResetRequestedSchema } from "../../../gen/shop/events/v1/user_events_pb.ts";
import { adminOf, anonymous, rejection, usersFixture } from "./support/users-fixture.ts";

const HOUR = 60 * 60 * 1_000;

describe("email verification", () => {
  it("when the token from the event is spent, then the email is verified once and a second use is TOKEN_INVALID", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous());
    await verifyEmail(fx.deps, anonymous(), fx.verificationToken(user.id));
    expect((await fx.users.find(anonymous().tenantId, user.id))!.snapshot().emailVerified).toBe(true);
    expect(fx.eventTypes().at(-1)).toBe("EmailVerified");

    const again = await rejection(verifyEmail(fx.deps, anonymous(), fx.verificationToken(user.id)));
    expect(again).toMatchObject({ kind: "failed_precondition", code: "USER.TOKEN_INVALID" });
  });

  it("when the token expired, is unknown, or belongs to another tenant, then TOKEN_INVALID and nothing changes", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous("acme"));
    const token = fx.verificationToken(user.id);
    expect((await rejection(verifyEmail(fx.deps, anonymous("globex"), token))).code).toBe("USER.TOKEN_INVALID");
    expect((await rejection(verifyEmail(fx.deps, anonymous("acme"), "made-up"))).code).toBe("USER.TOKEN_INVALID");
    fx.clock.advance(24 * HOUR);
    expect((await rejection(verifyEmail(fx.deps, anonymous("acme"), token))).code).toBe("USER.TOKEN_INVALID");
    expect((await fx.users.find(anonymous().tenantId, user.id))!.snapshot().emailVerified).toBe(false);
  });

  it("when a new link is asked for, then it goes out and the previous link stops working", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous());
    const first = fx.verificationToken(user.id);
    fx.clock.advance(2 * 60_000);
    await requestEmailVerification(fx.deps, anonymous(), "ADA@example.com");
    const second = fx.verificationToken(user.id);
    expect(second).not.toBe(first);
    expect((await rejection(verifyEmail(fx.deps, anonymous(), first))).code).toBe("USER.TOKEN_INVALID");
    await verifyEmail(fx.deps, anonymous(), second);
  });

  it("when asked for an unknown email, within the cooldown, or once verified, then OK and no link goes out", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous());
    await requestEmailVerification(fx.deps, anonymous(), "nobody@example.com");
    await requestEmailVerification(fx.deps, anonymous(), "ada@example.com"); // within a minute of Register
    expect(fx.eventTypes()).toEqual(["UserRegistered", "EmailVerificationRequested"]);
    await verifyEmail(fx.deps, anonymous(), fx.verificationToken(user.id));
    fx.clock.advance(HOUR);
    await requestEmailVerification(fx.deps, anonymous(), "ada@example.com");
    expect(fx.eventTypes().filter((t) => t === "EmailVerificationRequested")).toHaveLength(1);
  });
});

describe("password reset", () => {
  it("when the reset token from the event is used, then auth sets the password, revokes sessions, PasswordChanged goes out", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous());
    await requestPasswordReset(fx.deps, anonymous(), "ada@example.com");
    const event = decodeEvent(PasswordResetRequestedSchema, fx.users.outbox.at(-1)!)!;
    expect(event.tokenExpireTime && Number(event.tokenExpireTime.seconds) * 1_000).toBe(fx.clock.now().getTime() + HOUR);

    await resetPassword(fx.deps, anonymous(), { token: event.resetToken, newPassword: "new password 123" });

    expect(fx.credentials.calls.at(-1)).toMatchObject({ userId: user.id, password: "new password 123", revokeSessions: true });
    expect(decodeEvent(PasswordChangedSchema, fx.users.outbox.at(-1)!)).toMatchObject({ userId: user.id, sessionsRevoked: true });
    expect(fx.eventTypes()).toContain("EmailVerified");
    const again = await rejection(
      resetPassword(fx.deps, anonymous(), { token: event.resetToken, newPassword: "another one 456" }),
    );
    expect(again.code).toBe("USER.TOKEN_INVALID");
    expect(fx.credentials.passwordOf("acme", user.id)).toBe("new password 123");
  });

  it("when the reset token expired, then TOKEN_INVALID and auth is not called", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous());
    await requestPasswordReset(fx.deps, anonymous(), "ada@example.com");
    fx.clock.advance(HOUR);
    const error = await rejection(
      resetPassword(fx.deps, anonymous(), { token: fx.resetToken(user.id), newPassword: "new password 123" }),
    );
    expect(error.code).toBe("USER.TOKEN_INVALID");
    expect(fx.credentials.calls).toHaveLength(1); // Register's only
  });

  it("when the email is unknown or the user disabled, then OK and no link goes out", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous());
    await requestPasswordReset(fx.deps, anonymous(), "nobody@example.com");
    await disableUser(fx.deps, adminOf("acme"), user.id, "fraud");
    await requestPasswordReset(fx.deps, anonymous(), "ada@example.com");
    expect(fx.eventTypes()).not.toContain("PasswordResetRequested");
  });

  it("when auth refuses the new password, then INVALID_ARGUMENT names new_password", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous());
    await requestPasswordReset(fx.deps, anonymous(), "ada@example.com");
    fx.credentials.failNext(invalidField("password", "too common"));
    const error = await rejection(
      resetPassword(fx.deps, anonymous(), { token: fx.resetToken(user.id), newPassword: "password123" }),
    );
    expect(error).toMatchObject({ kind: "invalid", field: "new_password" });
    expect(fx.eventTypes()).not.toContain("PasswordChanged");
  });

  it("when the new password is too short, then INVALID_ARGUMENT before the token is spent", async () => {
    const fx = usersFixture();
    const user = await fx.registered(anonymous());
    await requestPasswordReset(fx.deps, anonymous(), "ada@example.com");
    const token = fx.resetToken(user.id);
    expect(await rejection(resetPassword(fx.deps, anonymous(), { token, newPassword: "short" }))).toMatchObject({
      field: "new_password",
    });
    await resetPassword(fx.deps, anonymous(), { token, newPassword: "long enough now" });
  });
});
