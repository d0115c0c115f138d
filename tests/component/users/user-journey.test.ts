import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, type Client, createClient } from "@connectrpc/connect";
import { profileKey } from "../../../adapters/redis/redis-profile-cache.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { NotificationCategory, NotificationChannel, UserService, UserStatus } from "../../../gen/shop/users/v1/users_pb.ts";
import { startUsersServer, type UsersServer } from "./support/users-server.ts";

let server: UsersServer;
beforeAll(async () => {
  server = await startUsersServer();
});
afterAll(async () => {
  await server?.stop();
});

const acme = { "x-tenant-id": "acme" };
const postal = (locality: string) => ({
  recipientName: "Ada Lovelace",
  addressLines: ["12 St James's Square"],
  locality,
  postalCode: "SW1Y 4JH",
  countryCode: "GB",
});
const failure = async (call: Promise<unknown>) =>
  ConnectError.from(
    await call.then(
      () => new Error("succeeded"),
      (e) => e,
    ),
  );

describe.each(["grpc", "connect"] as const)("a customer's journey over %s", (kind) => {
  let users: Client<typeof UserService>;
  const email = `ada.${kind}@example.com`;
  beforeAll(() => {
    users = createClient(UserService, server.transport(kind));
  });

  it("when a customer registers, verifies, reads and edits their profile, addresses and preferences, then every step shows", async () => {
    const { user } = await users.register(
      { email, password: "correct horse battery", displayName: "Ada", idempotencyKey: `journey-${kind}-1`, locale: "en-GB" },
      { headers: acme },
    );
    const userId = user!.userId;
    expect(user).toMatchObject({ email, emailVerified: false, status: UserStatus.ACTIVE });
    expect(server.credentials.passwordOf("acme", userId)).toBe("correct horse battery");

    await users.verifyEmail({ token: await server.verificationToken(userId) }, { headers: acme });
    const me = { authorization: await server.identity.bearer("acme", userId, ["customer"]) };

    const profile = await users.getProfile({}, { headers: me });
    expect(profile.user).toMatchObject({ userId, emailVerified: true, displayName: "Ada" });
    expect(await server.redis.get(profileKey(parseTenantId("acme"), userId))).toContain('"emailVerified":true');

    await users.updateProfile({ displayName: "Ada King", phoneNumber: "+442071234567" }, { headers: me });
    expect(await server.redis.get(profileKey(parseTenantId("acme"), userId))).toBeNull();
    expect((await users.getProfile({}, { headers: me })).user).toMatchObject({
      displayName: "Ada King",
      phoneNumber: "+442071234567",
    });

    const home = await users.addAddress(
      { label: "Home", postalAddress: postal("London"), idempotencyKey: `addr-${kind}-1` },
      { headers: me },
    );
    const office = await users.addAddress(
      { label: "Office", postalAddress: postal("Bath"), setAsDefault: true, idempotencyKey: `addr-${kind}-2` },
      { headers: me },
    );
    const replayed = await users.addAddress(
      { label: "Office", postalAddress: postal("Bath"), setAsDefault: true, idempotencyKey: `addr-${kind}-2` },
      { headers: me },
    );
    expect(replayed.address?.addressId).toBe(office.address?.addressId);
    expect((await users.listAddresses({}, { headers: me })).addresses.map((a) => [a.label, a.isDefault])).toEqual([
      ["Office", true],
      ["Home", false],
    ]);
    await users.updateAddress({ addressId: home.address!.addressId, label: "Flat" }, { headers: me });
    await users.setDefaultAddress({ addressId: home.address!.addressId }, { headers: me });
    await users.removeAddress({ addressId: office.address!.addressId }, { headers: me });
    expect((await users.listAddresses({}, { headers: me })).addresses.map((a) => [a.label, a.isDefault])).toEqual([
      ["Flat", true],
    ]);

    const updated = await users.updatePreferences(
      {
        locale: "fr-FR",
        channelPreferences: [
          { channel: NotificationChannel.SMS, category: NotificationCategory.SHIPPING_UPDATES, optedIn: true },
        ],
      },
      { headers: me },
    );
    expect(updated.preferences?.locale).toBe("fr-FR");
    const prefs = (await users.getPreferences({}, { headers: me })).preferences!;
    expect(prefs.channelPreferences).toHaveLength(6);
    expect(
      prefs.channelPreferences.find(
        (c) => c.channel === NotificationChannel.SMS && c.category === NotificationCategory.SHIPPING_UPDATES,
      )?.optedIn,
    ).toBe(true);

    expect((await server.eventsOf(userId)).map((e) => e.type.replace("shop.events.v1.", ""))).toEqual([
      "UserRegistered",
      "EmailVerificationRequested",
      "EmailVerified",
      "UserProfileUpdated",
      "UserPreferencesUpdated",
    ]);
  });

  it("when a password is reset with the token from the event, then auth gets it once; a second use and an expired token fail", async () => {
    const resetEmail = `reset.${kind}@example.com`;
    const { user } = await users.register(
      { email: resetEmail, password: "first password!", displayName: "Bob", idempotencyKey: `reset-${kind}-1` },
      { headers: acme },
    );
    const userId = user!.userId;
    await users.requestPasswordReset({ email: resetEmail.toUpperCase() }, { headers: acme });
    const token = await server.resetToken(userId);

    await users.resetPassword({ token, newPassword: "second password!" }, { headers: acme });
    expect(server.credentials.calls.at(-1)).toMatchObject({ userId, password: "second password!", revokeSessions: true });
    const events = (await server.eventsOf(userId)).map((e) => e.type.replace("shop.events.v1.", ""));
    expect(events.slice(-2)).toEqual(["EmailVerified", "PasswordChanged"]);

    const again = await failure(users.resetPassword({ token, newPassword: "third password!" }, { headers: acme }));
    expect(again.code).toBe(Code.FailedPrecondition);
    expect(again.metadata.get("shop-error-code")).toBe("USER.TOKEN_INVALID");

    server.clock.shift(2 * 60_000); // past the resend cooldown
    await users.requestPasswordReset({ email: resetEmail }, { headers: acme });
    const late = await server.resetToken(userId);
    server.clock.shift(61 * 60_000); // past the one-hour lifetime
    try {
      const expired = await failure(users.resetPassword({ token: late, newPassword: "fourth password!" }, { headers: acme }));
      expect(expired.code).toBe(Code.FailedPrecondition);
    } finally {
      server.clock.shift(-63 * 60_000);
    }
    expect(server.credentials.passwordOf("acme", userId)).toBe("second password!");
  });

  it("when an unknown email asks for a reset or a link, then OK and nothing goes out", async () => {
    const before = (await server.db.outbox()).length;
    await users.requestPasswordReset({ email: `nobody.${kind}@example.com` }, { headers: acme });
    await users.requestEmailVerification({ email: `nobody.${kind}@example.com` }, { headers: acme });
    expect(await server.db.outbox()).toHaveLength(before);
  });
});
