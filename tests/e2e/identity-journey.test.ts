import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { createGrpcTransport } from "../../adapters/rpc/grpc-transport.ts";
import { JWKS_PATH } from "../../adapters/rpc/jwks-http-route.ts";
import { AuthService } from "../../gen/shop/auth/v1/auth_pb.ts";
import { EmailVerificationRequestedSchema, PasswordResetRequestedSchema } from "../../gen/shop/events/v1/user_events_pb.ts";
import { UserService } from "../../gen/shop/users/v1/users_pb.ts";
import { requiredEnv } from "../support/required-env.ts";
import { uniqueName } from "../support/unique-name.ts";
import { EventTail } from "./support/event-tail.ts";
import { freePort, type ServiceProcess, startServiceProcess } from "./support/service-process.ts";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;

// auth and users each in a process of its own, on MariaDB, Redis and Kafka, as in the mesh.
describe("identity journey across the auth and users processes", () => {
  const tenant = uniqueName("e2e").replaceAll("_", "-").toLowerCase();
  const databases = { auth: uniqueName("shopmesh_e2e_auth"), users: uniqueName("shopmesh_e2e_users") };
  const kafka = createKafka({ brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","), clientId: "e2e", log: () => {} });
  const userEvents = new EventTail();
  let auth: ServiceProcess | undefined;
  let users: ServiceProcess | undefined;

  beforeAll(async () => {
    const env = { SHOPMESH_AUTH_DATABASE: databases.auth };
    await run(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", "services/auth/tenant-cli.ts", "create", tenant, "E2E Shop"],
      {
        cwd: root,
        env: { ...process.env, ...env },
      },
    );
    const [authPort, usersPort] = [await freePort(), await freePort()];
    auth = await startServiceProcess("auth", `${root}services/auth/main.ts`, authPort, {
      ...env,
      SHOPMESH_AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      SHOPMESH_USERS_ADDRESS: `127.0.0.1:${usersPort}`,
    });
    users = await startServiceProcess("users", `${root}services/users/main.ts`, usersPort, {
      SHOPMESH_USERS_DATABASE: databases.users,
      SHOPMESH_AUTH_JWKS_URL: `${auth.url}${JWKS_PATH}`,
      SHOPMESH_AUTH_GRPC_TARGET: `127.0.0.1:${authPort}`,
    });
    await userEvents.start(kafka, "user-events");
  }, 120_000);

  afterAll(async () => {
    await userEvents.stop();
    await users?.stop();
    await auth?.stop();
    const url = new URL(requiredEnv("SHOPMESH_MYSQL_URL"));
    const { createConnection } = await import("mysql2/promise");
    const connection = await createConnection({
      host: url.hostname,
      port: Number(url.port),
      user: url.username,
      password: decodeURIComponent(url.password),
    });
    for (const name of Object.values(databases)) await connection.query(`drop database if exists \`${name}\``);
    await connection.end();
  }, 60_000);

  const transports: Record<string, (process: ServiceProcess) => Transport> = {
    grpc: (p) => createGrpcTransport(`127.0.0.1:${p.port}`),
    "connect-json": (p) => createConnectTransport({ baseUrl: p.url, httpVersion: "1.1" }),
  };

  describe.each(Object.keys(transports))("over %s", (name) => {
    const anonymous = { headers: { "x-tenant-id": tenant } };
    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    const email = `${name}-${randomUUID().slice(0, 8)}@example.com`;

    it("when a customer registers, verifies the email, logs in, refreshes, reads the profile and logs out, then each step holds", async () => {
      const userClient = createClient(UserService, transports[name]!(users!));
      const authClient = createClient(AuthService, transports[name]!(auth!));

      // The users process learns of the new tenant from tenant-events; until then the tenant is unknown.
      const registered = await retryWhile(Code.NotFound, () =>
        userClient.register(
          { email, password: "correct horse battery", displayName: "Ada", idempotencyKey: randomUUID() },
          anonymous,
        ),
      );
      const userId = registered.user!.userId;
      expect(registered.user?.emailVerified).toBe(false);

      const verification = await userEvents.next(EmailVerificationRequestedSchema, (e) => e.userId === userId);
      await userClient.verifyEmail({ token: verification.verificationToken }, anonymous);
      const reused = await rejection(userClient.verifyEmail({ token: verification.verificationToken }, anonymous));
      expect(reused).toBeInstanceOf(ConnectError);

      const login = await authClient.login({ email, password: "correct horse battery" }, anonymous);
      expect(login.userId).toBe(userId);
      const refreshed = await authClient.refresh({ refreshToken: login.tokens!.refreshToken }, anonymous);
      expect(refreshed.tokens!.refreshToken).not.toBe(login.tokens!.refreshToken);

      // users verifies auth's token against auth's JWKS, fetched over HTTP.
      const profile = await userClient.getProfile({}, bearer(refreshed.tokens!.accessToken));
      expect(profile.user).toMatchObject({ userId, email, emailVerified: true, displayName: "Ada" });

      await authClient.logout({ refreshToken: refreshed.tokens!.refreshToken }, bearer(refreshed.tokens!.accessToken));
      const afterLogout = await rejection(authClient.refresh({ refreshToken: refreshed.tokens!.refreshToken }, anonymous));
      expect(afterLogout.code).toBe(Code.Unauthenticated);
    });

    it("when a customer forgets the password, then the emailed token sets a new one once and the old password stops working", async () => {
      const userClient = createClient(UserService, transports[name]!(users!));
      const authClient = createClient(AuthService, transports[name]!(auth!));

      await userClient.requestPasswordReset({ email }, anonymous);
      const reset = await userEvents.next(PasswordResetRequestedSchema, (e) => e.email === email);
      await userClient.resetPassword({ token: reset.resetToken, newPassword: "a brand new passphrase" }, anonymous);
      const again = await rejection(
        userClient.resetPassword({ token: reset.resetToken, newPassword: "yet another passphrase" }, anonymous),
      );
      expect(again).toBeInstanceOf(ConnectError);

      const old = await rejection(authClient.login({ email, password: "correct horse battery" }, anonymous));
      expect(old.code).toBe(Code.Unauthenticated);
      const fresh = await authClient.login({ email, password: "a brand new passphrase" }, anonymous);
      expect(fresh.tokens?.accessToken).toBeTruthy();
    });
  });
});

async function retryWhile<T>(code: Code, call: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (ConnectError.from(error).code !== code || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** The error a call failed with; the test fails if the call succeeded. */
async function rejection(call: Promise<unknown>): Promise<ConnectError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  expect(error, "the call should have been refused").toBeInstanceOf(ConnectError);
  return error as ConnectError;
}
