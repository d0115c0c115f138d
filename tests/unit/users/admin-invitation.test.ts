import { describe, expect, it } from "vitest";
import { inviteFirstAdmin } from "../../../core/users/admin-invitation.ts";
import { resetPassword } from "../../../core/users/password-reset.ts";
import { decodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import { PasswordResetPurpose, PasswordResetRequestedSchema } from "../../../gen/shop/events/v1/user_events_pb.ts";
import { anonymous, usersFixture } from "./support/users-fixture.ts";

describe("first admin of a new tenant", () => {
  it("when a tenant names its first admin, then that person is a tenant admin with a first-password link", async () => {
    const fx = usersFixture();
    await inviteFirstAdmin(fx.deps, anonymous("acme"), "Boss@Acme.test");
    const admin = (await fx.users.findByEmail(anonymous().tenantId, "boss@acme.test"))!;
    expect(admin.snapshot()).toMatchObject({ roles: ["tenant_admin"], emailVerified: false, passwordSetAt: undefined });
    expect(fx.eventTypes()).toEqual(["UserRegistered", "PasswordResetRequested"]);
    const link = decodeEvent(PasswordResetRequestedSchema, fx.users.outbox[1]!)!;
    expect(link.purpose).toBe(PasswordResetPurpose.ADMIN_INVITATION);
    expect(Number(link.tokenExpireTime!.seconds) * 1_000 - fx.clock.now().getTime()).toBe(72 * 60 * 60 * 1_000);

    await resetPassword(fx.deps, anonymous("acme"), { token: link.resetToken, newPassword: "first admin password" });
    const after = (await fx.users.find(anonymous().tenantId, admin.id))!.snapshot();
    expect(after.emailVerified).toBe(true);
    expect(after.passwordSetAt).toBeDefined();
    expect(fx.credentials.passwordOf("acme", admin.id)).toBe("first admin password");
  });

  it("when the same tenant event comes again, then no second admin and no second link", async () => {
    const fx = usersFixture();
    await inviteFirstAdmin(fx.deps, anonymous("acme"), "boss@acme.test");
    await inviteFirstAdmin(fx.deps, anonymous("acme"), "BOSS@acme.test");
    expect(fx.eventTypes()).toEqual(["UserRegistered", "PasswordResetRequested"]);
  });
});
