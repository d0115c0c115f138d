import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, type Client, createClient } from "@connectrpc/connect";
import { UserRecord } from "../../../adapters/mikro-orm/users/user-record.ts";
import { Role, UserService } from "../../../gen/shop/users/v1/users_pb.ts";
import { startUsersServer, type UsersServer } from "./support/users-server.ts";

let server: UsersServer;
/** Bob lives in globex: what tenant acme's admin must not reach. */
const bob = { id: "", email: "bob@globex.test", addressId: "", verificationToken: "", resetToken: "", key: "bob-register-1" };
let alice: Record<string, string>;

beforeAll(async () => {
  server = await startUsersServer();
  const users = createClient(UserService, server.transport("grpc"));
  const globex = { "x-tenant-id": "globex" };
  const { user } = await users.register(
    { email: bob.email, password: "bob's password", displayName: "Bob", idempotencyKey: bob.key },
    { headers: globex },
  );
  bob.id = user!.userId;
  bob.verificationToken = await server.verificationToken(bob.id);
  await users.requestPasswordReset({ email: bob.email }, { headers: globex });
  bob.resetToken = await server.resetToken(bob.id);
  const bobToken = { authorization: await server.identity.bearer("globex", bob.id, ["customer"]) };
  const { address } = await users.addAddress(
    {
      label: "Home",
      postalAddress: { recipientName: "Bob", addressLines: ["1 Globex Way"], locality: "Cypress Creek", countryCode: "US" },
      idempotencyKey: "bob-address-1",
    },
    { headers: bobToken },
  );
  bob.addressId = address!.addressId;

  const { user: aliceUser } = await users.register(
    { email: "alice@acme.test", password: "alice's password", displayName: "Alice", idempotencyKey: "alice-register-1" },
    { headers: { "x-tenant-id": "acme" } },
  );
  alice = { authorization: await server.identity.bearer("acme", aliceUser!.userId, ["tenant_admin", "customer"]) };
});
afterAll(async () => {
  await server?.stop();
});

type Outcome = "ok" | Code;
const postal = { recipientName: "Alice", addressLines: ["1 Acme Rd"], locality: "Acme City", countryCode: "US" };

/** Every RPC of UserService aimed at Bob's data, and what acme's admin must get without naming a tenant. */
function everyRpc(users: Client<typeof UserService>) {
  return {
    register: [
      "ok",
      (h: Headers) =>
        users.register(
          { email: bob.email, password: "not bob's!!", displayName: "Not Bob", idempotencyKey: bob.key },
          { headers: h },
        ),
    ],
    requestEmailVerification: ["ok", (h: Headers) => users.requestEmailVerification({ email: bob.email }, { headers: h })],
    verifyEmail: [Code.FailedPrecondition, (h: Headers) => users.verifyEmail({ token: bob.verificationToken }, { headers: h })],
    requestPasswordReset: ["ok", (h: Headers) => users.requestPasswordReset({ email: bob.email }, { headers: h })],
    resetPassword: [
      Code.FailedPrecondition,
      (h: Headers) => users.resetPassword({ token: bob.resetToken, newPassword: "hijacked password" }, { headers: h }),
    ],
    getProfile: ["ok", (h: Headers) => users.getProfile({}, { headers: h })],
    updateProfile: ["ok", (h: Headers) => users.updateProfile({ displayName: "Alice A." }, { headers: h })],
    listAddresses: ["ok", (h: Headers) => users.listAddresses({}, { headers: h })],
    addAddress: [
      "ok",
      (h: Headers) => users.addAddress({ postalAddress: postal, idempotencyKey: "bob-address-1" }, { headers: h }),
    ],
    updateAddress: [
      Code.NotFound,
      (h: Headers) => users.updateAddress({ addressId: bob.addressId, label: "Mine" }, { headers: h }),
    ],
    removeAddress: [Code.NotFound, (h: Headers) => users.removeAddress({ addressId: bob.addressId }, { headers: h })],
    setDefaultAddress: [Code.NotFound, (h: Headers) => users.setDefaultAddress({ addressId: bob.addressId }, { headers: h })],
    getPreferences: ["ok", (h: Headers) => users.getPreferences({}, { headers: h })],
    updatePreferences: ["ok", (h: Headers) => users.updatePreferences({ locale: "de" }, { headers: h })],
    getUser: [Code.NotFound, (h: Headers) => users.getUser({ userId: bob.id }, { headers: h })],
    listUsers: ["ok", (h: Headers) => users.listUsers({}, { headers: h })],
    searchUsers: ["ok", (h: Headers) => users.searchUsers({ query: "bob" }, { headers: h })],
    disableUser: [Code.NotFound, (h: Headers) => users.disableUser({ userId: bob.id, reason: "takeover" }, { headers: h })],
    enableUser: [Code.NotFound, (h: Headers) => users.enableUser({ userId: bob.id }, { headers: h })],
    setUserRoles: [
      Code.NotFound,
      (h: Headers) => users.setUserRoles({ userId: bob.id, roles: [Role.TENANT_ADMIN] }, { headers: h }),
    ],
    getUserAccess: [Code.NotFound, (h: Headers) => users.getUserAccess({ userId: bob.id }, { headers: h })],
    getContactPreferences: [Code.NotFound, (h: Headers) => users.getContactPreferences({ userId: bob.id }, { headers: h })],
  } satisfies Record<string, readonly [Outcome, (h: Headers) => Promise<unknown>]>;
}

/** Internal methods are not served to the HTTP/1.1 (browser) side at all. */
const INTERNAL = new Set(["getUserAccess", "getContactPreferences"]);
const overTransport = (kind: "grpc" | "connect", name: string, expected: Outcome): Outcome =>
  kind === "connect" && INTERNAL.has(name) ? Code.Unimplemented : expected;

async function outcomeOf(call: Promise<unknown>): Promise<{ outcome: Outcome; answer: unknown }> {
  try {
    return { outcome: "ok", answer: await call };
  } catch (error) {
    return { outcome: ConnectError.from(error).code, answer: undefined };
  }
}

async function bobsState() {
  const row = await server.db.em
    .fork()
    .findOneOrFail(UserRecord, { tenantId: "globex", id: bob.id }, { disableIdentityMap: true });
  return { version: row.version, events: (await server.db.outbox()).filter((e) => e.key === bob.id).length };
}

describe.each(["grpc", "connect"] as const)("tenant isolation over %s", (kind) => {
  it("when acme's admin names tenant globex in the header, then every RPC is PERMISSION_DENIED", async () => {
    const rpcs = everyRpc(createClient(UserService, server.transport(kind)));
    expect(Object.keys(rpcs).sort()).toEqual(UserService.methods.map((m) => m.localName).sort());
    const before = await bobsState();
    for (const [name, [, call]] of Object.entries(rpcs)) {
      const { outcome } = await outcomeOf(call(new Headers({ ...alice, "x-tenant-id": "globex" })));
      expect(outcome, name).toBe(overTransport(kind, name, Code.PermissionDenied));
    }
    expect(await bobsState()).toEqual(before);
  });

  it("when acme's admin aims every RPC at globex's user, then nothing of globex is read or changed", async () => {
    const rpcs = everyRpc(createClient(UserService, server.transport(kind)));
    const before = await bobsState();
    for (const [name, [expected, call]] of Object.entries(rpcs)) {
      const { outcome, answer } = await outcomeOf(call(new Headers(alice)));
      expect(outcome, name).toBe(overTransport(kind, name, expected));
      expect(
        JSON.stringify(answer ?? {}, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
        name,
      ).not.toMatch(new RegExp(`${bob.id}|${bob.addressId}|Globex Way|"Bob"`));
    }
    expect(await bobsState()).toEqual(before);
    expect(server.credentials.passwordOf("globex", bob.id)).toBe("bob's password");
  });
});

describe("after every attempt", () => {
  it("when bob uses his own links in his own tenant, then they still work: nothing was spent by acme", async () => {
    const users = createClient(UserService, server.transport("grpc"));
    await users.verifyEmail({ token: bob.verificationToken }, { headers: { "x-tenant-id": "globex" } });
    await users.resetPassword(
      { token: bob.resetToken, newPassword: "bob's new password" },
      { headers: { "x-tenant-id": "globex" } },
    );
    expect(server.credentials.passwordOf("globex", bob.id)).toBe("bob's new password");
  });
});
