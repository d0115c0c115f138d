import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { UserRecord } from "../../../adapters/mikro-orm/users/user-record.ts";
import { UserService } from "../../../gen/shop/users/v1/users_pb.ts";
import { startUsersServer, type UsersServer } from "./support/users-server.ts";

let server: UsersServer;
beforeAll(async () => {
  server = await startUsersServer();
});
afterAll(async () => {
  await server?.stop();
});

/** "ok", or the status code's name of the failure (INTERNAL on a database error that leaked). */
const outcome = (call: Promise<unknown>) =>
  call.then(
    () => "ok",
    (error: unknown) => Code[ConnectError.from(error).code],
  );

describe.each(["grpc", "connect"] as const)("concurrent registrations in one tenant over %s", (kind) => {
  it("when 16 customers and 4 twins of one email register at once, then all 16 and exactly one twin succeed, the other twins ALREADY_EXISTS", async () => {
    const users = createClient(UserService, server.transport(kind));
    const tenant = { "x-tenant-id": "acme" };
    const register = (email: string, key: string) =>
      users.register(
        { email, password: "correct horse battery", displayName: key, idempotencyKey: key, locale: "en" },
        { headers: tenant },
      );
    const distinct = Array.from({ length: 16 }, (_, i) => `c${i}.${kind}@example.com`);
    const twinKeys = Array.from({ length: 4 }, (_, i) => `twin-${kind}-${i}`);

    const [distinctOutcomes, twinOutcomes] = await Promise.all([
      Promise.all(distinct.map((email, i) => outcome(register(email, `crowd-${kind}-${i}`)))),
      Promise.all(twinKeys.map((key) => outcome(register(`twin.${kind}@example.com`, key)))),
    ]);

    expect(distinctOutcomes).toEqual(distinct.map(() => "ok"));
    expect(twinOutcomes.sort()).toEqual(["AlreadyExists", "AlreadyExists", "AlreadyExists", "ok"]);
    const emails = [...distinct, `twin.${kind}@example.com`];
    const rows = await server.db.em.fork().find(UserRecord, { tenantId: "acme", normalizedEmail: { $in: emails } });
    expect(rows.map((r) => r.normalizedEmail).sort()).toEqual(emails.sort());
    for (const row of rows) expect(server.credentials.passwordOf("acme", row.id)).toBe("correct horse battery");
  });
});
