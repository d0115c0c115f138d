import { describe, expect, it } from "vitest";
import { Roles } from "../../../core/kit/roles.ts";
import { disableUser, enableUser, getUser, listUsers, searchUsers, setUserRoles } from "../../../core/users/user-admin.ts";
import { getContactPreferences, getUserAccess } from "../../../core/users/user-access.ts";
import { adminOf, anonymous, rejection, signedIn, usersFixture } from "./support/users-fixture.ts";

async function tenantWithAdmin() {
  const fx = usersFixture();
  const adminView = await fx.registered(anonymous(), { email: "root@acme.test", displayName: "Root" });
  const admin = adminOf("acme", adminView.id);
  // The first admin comes from the tenant's invitation; here, a user promoted directly in the store.
  const stored = (await fx.users.find(admin.tenantId, adminView.id))!;
  stored.setRoles([Roles.tenantAdmin], fx.clock.now());
  await fx.users.update(stored, admin);
  return { fx, admin, adminId: adminView.id };
}

describe("user administration", () => {
  it("when a customer or an anonymous caller asks, then PERMISSION_DENIED or UNAUTHENTICATED, for every admin operation", async () => {
    const { fx, adminId } = await tenantWithAdmin();
    const customer = signedIn("acme", "someone");
    const attempts = (ctx: Parameters<typeof getUser>[1]) => [
      getUser(fx.deps, ctx, adminId),
      listUsers(fx.deps, ctx, {}),
      searchUsers(fx.deps, ctx, { query: "ro" }),
      disableUser(fx.deps, ctx, adminId, "why"),
      enableUser(fx.deps, ctx, adminId),
      setUserRoles(fx.deps, ctx, adminId, [Roles.customer]),
    ];
    for (const attempt of attempts(customer)) expect((await rejection(attempt)).kind).toBe("permission_denied");
    for (const attempt of attempts(anonymous())) expect((await rejection(attempt)).kind).toBe("unauthenticated");
  });

  it("when an admin disables a user, then UserDisabled goes out once, the user cannot reset; enabling brings UserEnabled", async () => {
    const { fx, admin } = await tenantWithAdmin();
    const bob = await fx.registered(anonymous(), { email: "bob@example.com" });
    expect((await disableUser(fx.deps, admin, bob.id, "chargebacks")).status).toBe("disabled");
    await disableUser(fx.deps, admin, bob.id, "again");
    expect(fx.eventTypes().filter((t) => t === "UserDisabled")).toHaveLength(1);
    expect((await getUserAccess(fx.deps, anonymous(), bob.id)).status).toBe("disabled");
    expect((await enableUser(fx.deps, admin, bob.id)).status).toBe("active");
    expect(fx.eventTypes().at(-1)).toBe("UserEnabled");
  });

  it("when an admin disables themselves, then FAILED_PRECONDITION", async () => {
    const { fx, admin, adminId } = await tenantWithAdmin();
    expect(await rejection(disableUser(fx.deps, admin, adminId, "oops"))).toMatchObject({ code: "USER.CANNOT_DISABLE_SELF" });
  });

  it("when roles are set, then platform_operator is PERMISSION_DENIED and the last admin cannot lose the role", async () => {
    const { fx, admin, adminId } = await tenantWithAdmin();
    const bob = await fx.registered(anonymous(), { email: "bob@example.com" });
    expect((await rejection(setUserRoles(fx.deps, admin, bob.id, [Roles.platformOperator]))).kind).toBe("permission_denied");
    expect(await rejection(setUserRoles(fx.deps, admin, adminId, [Roles.customer]))).toMatchObject({ code: "USER.LAST_ADMIN" });

    expect((await setUserRoles(fx.deps, admin, bob.id, [Roles.customer, Roles.tenantAdmin])).roles).toEqual([
      "customer",
      "tenant_admin",
    ]);
    expect((await setUserRoles(fx.deps, admin, adminId, [Roles.customer])).roles).toEqual(["customer"]);
    expect((await getUserAccess(fx.deps, anonymous(), bob.id)).roles).toContain("tenant_admin");
  });

  it("when users are listed, then newest first, page by page, filtered by status and role, tenant only", async () => {
    const { fx, admin } = await tenantWithAdmin();
    const ids: string[] = [];
    for (const name of ["a", "b", "c", "d"]) {
      fx.clock.advance(1_000);
      ids.push((await fx.registered(anonymous(), { email: `${name}@example.com` })).id);
    }
    await fx.registered(anonymous("globex"), { email: "x@example.com" });
    await disableUser(fx.deps, admin, ids[1]!, "spam");

    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await listUsers(fx.deps, admin, { pageSize: 2, pageToken, role: Roles.customer });
      seen.push(...page.users.map((u) => u.email));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(["d@example.com", "c@example.com", "b@example.com", "a@example.com"]);
    expect((await listUsers(fx.deps, admin, { status: "disabled" })).users.map((u) => u.email)).toEqual(["b@example.com"]);

    const first = await listUsers(fx.deps, admin, { pageSize: 1 });
    expect(
      await rejection(listUsers(fx.deps, admin, { pageSize: 1, pageToken: first.nextPageToken, status: "active" })),
    ).toMatchObject({ field: "page.page_token" });
  });

  it("when searching, then email and name prefixes match literally, ignoring case and accents", async () => {
    const { fx, admin } = await tenantWithAdmin();
    await fx.registered(anonymous(), { email: "zoe@example.com", displayName: "Zoë Quinn" });
    await fx.registered(anonymous(), { email: "quentin@example.com", displayName: "Quentin Blake" });
    await fx.registered(anonymous(), { email: "percent@example.com", displayName: "100% Genuine" });
    const emails = async (query: string) => (await searchUsers(fx.deps, admin, { query })).users.map((u) => u.email);
    expect(await emails("ZOË")).toEqual(["zoe@example.com"]);
    expect(await emails("qu")).toEqual(["quentin@example.com"]);
    expect(await emails("zoe q")).toEqual(["zoe@example.com"]);
    expect(await emails("%")).toEqual([]);
    expect(await emails("100%")).toEqual(["percent@example.com"]);
  });

  it("when a customer asks the internal reads about someone else, then PERMISSION_DENIED; service calls get defaults applied", async () => {
    const { fx } = await tenantWithAdmin();
    const bob = await fx.registered(anonymous(), { email: "bob@example.com" });
    const eve = signedIn("acme", "eve");
    expect((await rejection(getUserAccess(fx.deps, eve, bob.id))).kind).toBe("permission_denied");
    expect((await rejection(getContactPreferences(fx.deps, eve, bob.id))).kind).toBe("permission_denied");
    const contact = await getContactPreferences(fx.deps, anonymous(), bob.id);
    expect(contact).toMatchObject({ email: "bob@example.com", status: "active", emailVerified: false });
    expect(contact.preferences.choices).toHaveLength(6);
    expect((await rejection(getUserAccess(fx.deps, anonymous("globex"), bob.id))).kind).toBe("not_found");
  });
});
