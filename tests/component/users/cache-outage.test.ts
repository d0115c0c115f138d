import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { UserService } from "../../../gen/shop/users/v1/users_pb.ts";
import { startUsersServer, type UsersServer } from "./support/users-server.ts";

let server: UsersServer;
beforeAll(async () => {
  // Nothing listens on port 1: every cache command fails at once.
  server = await startUsersServer({ redisUrl: "redis://127.0.0.1:1" });
});
afterAll(async () => {
  await server?.stop();
});

describe("profile cache outage", () => {
  it("when Redis cannot be reached, then profiles are read and changed from the database without an error", async () => {
    const users = createClient(UserService, server.transport("grpc"));
    const { user } = await users.register(
      { email: "cacheless@example.com", password: "correct horse battery", displayName: "Cacheless", idempotencyKey: "outage-1" },
      { headers: { "x-tenant-id": "acme" } },
    );
    const me = { authorization: await server.identity.bearer("acme", user!.userId, ["customer"]) };
    const started = performance.now();
    expect((await users.getProfile({}, { headers: me })).user?.displayName).toBe("Cacheless");
    await users.updateProfile({ displayName: "Still Here" }, { headers: me });
    expect((await users.getProfile({}, { headers: me })).user?.displayName).toBe("Still Here");
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
