import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, type Client, createClient } from "@connectrpc/connect";
import { UserRecord } from "../../../adapters/mikro-orm/users/user-record.ts";
import { UserService } from "../../../gen/shop/users/v1/users_pb.ts";
import { startUsersServer, type UsersServer } from "./support/users-server.ts";

let server: UsersServer;
let userId: string;
let me: Record<string, string>;
let admin: Record<string, string>;
beforeAll(async () => {
  server = await startUsersServer();
  const users = createClient(UserService, server.transport("grpc"));
  const { user } = await users.register(
    { email: "valid@example.com", password: "correct horse battery", displayName: "Val", idempotencyKey: "validation-1" },
    { headers: { "x-tenant-id": "acme" } },
  );
  userId = user!.userId;
  me = { authorization: await server.identity.bearer("acme", userId, ["customer"]) };
  admin = { authorization: await server.identity.bearer("acme", "admin-1", ["tenant_admin"]) };
});
afterAll(async () => {
  await server?.stop();
});

const anonymous = { "x-tenant-id": "acme" };
const long = (n: number) => "x".repeat(n);
const postal = { recipientName: "Val", addressLines: ["1 Main St"], locality: "Springfield", countryCode: "US" };

/** Every case: a call with one bad field, and the field the error must name. */
const cases = (users: Client<typeof UserService>) =>
  [
    [
      "Register: malformed email",
      "email",
      () =>
        users.register(
          { email: "not-an-email", password: "long enough 123", displayName: "A", idempotencyKey: "key-00001" },
          { headers: anonymous },
        ),
    ],
    [
      "Register: email with two @",
      "email",
      () =>
        users.register(
          { email: "a@b@example.com", password: "long enough 123", displayName: "A", idempotencyKey: "key-00002" },
          { headers: anonymous },
        ),
    ],
    [
      "Register: email over 254",
      "email",
      () =>
        users.register(
          { email: `${long(250)}@example.com`, password: "long enough 123", displayName: "A", idempotencyKey: "key-00003" },
          { headers: anonymous },
        ),
    ],
    [
      "Register: display name over 100",
      "display_name",
      () =>
        users.register(
          { email: "new@example.com", password: "long enough 123", displayName: long(101), idempotencyKey: "key-00004" },
          { headers: anonymous },
        ),
    ],
    [
      "Register: password over 256",
      "password",
      () =>
        users.register(
          { email: "new@example.com", password: long(257), displayName: "A", idempotencyKey: "key-00005" },
          { headers: anonymous },
        ),
    ],
    [
      "Register: idempotency key over 128",
      "idempotency_key",
      () =>
        users.register(
          { email: "new@example.com", password: "long enough 123", displayName: "A", idempotencyKey: long(129) },
          { headers: anonymous },
        ),
    ],
    [
      "RequestPasswordReset: malformed email",
      "email",
      () => users.requestPasswordReset({ email: "nope" }, { headers: anonymous }),
    ],
    [
      "RequestEmailVerification: malformed email",
      "email",
      () => users.requestEmailVerification({ email: "nope@" }, { headers: anonymous }),
    ],
    ["VerifyEmail: token over 256", "token", () => users.verifyEmail({ token: long(257) }, { headers: anonymous })],
    [
      "ResetPassword: new password too short",
      "new_password",
      () => users.resetPassword({ token: "t", newPassword: "short" }, { headers: anonymous }),
    ],
    [
      "UpdateProfile: display name over 100",
      "display_name",
      () => users.updateProfile({ displayName: long(101) }, { headers: me }),
    ],
    ["UpdateProfile: phone not E.164", "phone_number", () => users.updateProfile({ phoneNumber: "0171 123" }, { headers: me })],
    [
      "AddAddress: label over 50",
      "label",
      () => users.addAddress({ label: long(51), postalAddress: postal, idempotencyKey: "key-00006" }, { headers: me }),
    ],
    [
      "AddAddress: address line over 200",
      "postal_address.address_lines[0]",
      () =>
        users.addAddress(
          { postalAddress: { ...postal, addressLines: [long(201)] }, idempotencyKey: "key-00007" },
          { headers: me },
        ),
    ],
    [
      "AddAddress: country in lower case",
      "postal_address.country_code",
      () => users.addAddress({ postalAddress: { ...postal, countryCode: "us" }, idempotencyKey: "key-00008" }, { headers: me }),
    ],
    ["AddAddress: no postal address", "postal_address", () => users.addAddress({ idempotencyKey: "key-00009" }, { headers: me })],
    ["UpdatePreferences: malformed locale", "locale", () => users.updatePreferences({ locale: "French" }, { headers: me })],
    ["SearchUsers: query over 100", "query", () => users.searchUsers({ query: long(101) }, { headers: admin })],
    ["DisableUser: reason over 500", "reason", () => users.disableUser({ userId, reason: long(501) }, { headers: admin })],
    ["SetUserRoles: no role", "roles", () => users.setUserRoles({ userId, roles: [] }, { headers: admin })],
    ["ListUsers: page size over 100", "page.page_size", () => users.listUsers({ page: { pageSize: 101 } }, { headers: admin })],
  ] as const;

describe.each(["grpc", "connect"] as const)("bad input over %s", (kind) => {
  it("when any field breaks its rule, then INVALID_ARGUMENT names that field and nothing is written", async () => {
    const users = createClient(UserService, server.transport(kind));
    const outboxBefore = (await server.db.outbox()).length;
    const rowsBefore = await server.db.em.fork().count(UserRecord, {});
    const versionBefore = (await server.db.em.fork().findOneOrFail(UserRecord, { id: userId })).version;
    for (const [name, field, call] of cases(users)) {
      const error = ConnectError.from(
        await call().then(
          () => new Error(`${name}: succeeded`),
          (e) => e,
        ),
      );
      expect(error.code, name).toBe(Code.InvalidArgument);
      expect(error.metadata.get("shop-error-field"), name).toBe(field);
    }
    expect(await server.db.outbox()).toHaveLength(outboxBefore);
    expect(await server.db.em.fork().count(UserRecord, {})).toBe(rowsBefore);
    expect((await server.db.em.fork().findOneOrFail(UserRecord, { id: userId })).version).toBe(versionBefore);
    expect(server.credentials.calls).toHaveLength(1);
  });
});
