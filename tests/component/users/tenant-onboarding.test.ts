import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { Tenant } from "../../../core/auth/tenant.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { tenantEventMapper } from "../../../services/auth/tenant-event-mapper.ts";
import { UserService } from "../../../gen/shop/users/v1/users_pb.ts";
import { UserRecord } from "../../../adapters/mikro-orm/users/user-record.ts";
import { startUsersServer, type UsersServer } from "./support/users-server.ts";

let server: UsersServer;
beforeAll(async () => {
  server = await startUsersServer();
});
afterAll(async () => {
  await server?.stop();
});

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("tenant onboarding", () => {
  it("when TenantCreated names a first admin, then that admin gets a link, sets a password and administers the tenant", async () => {
    const operator = {
      tenantId: parseTenantId("platform"),
      caller: undefined,
      correlationId: "onboard-1",
      signal: new AbortController().signal,
    };
    const tenant = Tenant.create(
      { id: parseTenantId("acme"), displayName: "ACME", currency: "EUR", defaultLocale: "en", firstAdminEmail: "boss@acme.test" },
      new Date(),
    );
    const created = tenant.pullEvents().map((event) => tenantEventMapper(event, operator));
    await server.bus.publisher.publish(created);
    await server.bus.publisher.publish(created); // delivered twice: handled once

    const row = await eventually(
      async () =>
        (await server.db.em.fork().findOne(UserRecord, { tenantId: "acme", normalizedEmail: "boss@acme.test" })) ?? undefined,
    );
    expect(row.roles).toBe(",tenant_admin,");
    const users = createClient(UserService, server.transport("grpc"));
    await users.resetPassword(
      { token: await server.resetToken(row.id), newPassword: "first admin password" },
      { headers: { "x-tenant-id": "acme" } },
    );
    expect(server.credentials.passwordOf("acme", row.id)).toBe("first admin password");

    const admin = { authorization: await server.identity.bearer("acme", row.id, ["tenant_admin"]) };
    const listed = await users.listUsers({}, { headers: admin });
    expect(listed.users.map((u) => [u.email, u.emailVerified])).toEqual([["boss@acme.test", true]]);
    expect(await server.db.em.fork().count(UserRecord, { tenantId: "acme" })).toBe(1);
  });
});
