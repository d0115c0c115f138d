import { randomBytes } from "node:crypto";
import { createClient, createRouterTransport, type Client, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuthService } from "../../../../gen/shop/auth/v1/auth_pb.ts";
import { UserService } from "../../../../gen/shop/users/v1/users_pb.ts";
import { Tenant } from "../../../../core/auth/tenant.ts";
import { loginLimits } from "../../../../core/auth/login-limiter.ts";
import { sessionPolicy } from "../../../../core/auth/session-policy.ts";
import { systemClock } from "../../../../core/kit/clock.ts";
import { parseTenantId, type RequestContext } from "../../../../core/kit/request-context.ts";
import { createMemoryEventBus } from "../../../../adapters/memory/memory-event-bus.ts";
import { createLogger } from "../../../../adapters/observability/logger.ts";
import { createRpcUserAccessLookup } from "../../../../adapters/rpc/auth/rpc-user-access-lookup.ts";
import { createGrpcTransport } from "../../../../adapters/rpc/grpc-transport.ts";
import { createRedisLoginLimiter } from "../../../../adapters/redis/redis-login-limiter.ts";
import { authEntities, authModule } from "../../../../services/auth/auth-module.ts";
import { type RunningProcess, startProcess } from "../../../../services/runtime/run-process.ts";
import { fakeUserService } from "../../../contract/auth/support/fake-user-service.ts";
import { openRedisTestClient } from "../../../contract/auth/support/redis-test-client.ts";
import { openSqlTestDatabase } from "../../../support/sql-test-database.ts";

export const ISSUER = "https://auth.shopmesh.test";
export const AUDIENCE = "shopmesh-test";
export const TENANTS = ["acme", "globex"] as const;
export const LIMITS = loginLimits({
  account: { maxAttempts: 4, windowMs: 60_000 },
  source: { maxAttempts: 6, windowMs: 60_000 },
});
export const ARGON2 = { memoryKib: 19_456, iterations: 2, parallelism: 1 };

const operator: RequestContext = {
  tenantId: parseTenantId("platform"),
  caller: { userId: "operator", roles: ["platform_operator"] },
  correlationId: "seed",
  signal: new AbortController().signal,
};

/**
 * The auth process as main.ts builds it, on port 0: the auth module on its own MariaDB
 * database, Redis limiter keys under a prefix of its own, the real JWT kit and argon2id, one
 * x-forwarded-for hop trusted. Users is a stand-in UserService reached through the real Connect
 * client; user events come through the in-process bus.
 */
export async function startAuthServiceUnderTest(purpose: string) {
  const logger = createLogger(`auth-${purpose}`, "silent");
  const db = await openSqlTestDatabase("mariadb", purpose, authEntities);
  const redis = openRedisTestClient(purpose);
  const users = fakeUserService(logger);
  const bus = createMemoryEventBus();
  const auth = authModule({
    // The module closes its database on stop; the test drops it afterwards, so it stays open until then.
    db: { ...db, close: async () => {} },
    publisher: bus.publisher,
    consumer: bus.consumer,
    userAccess: createRpcUserAccessLookup(createRouterTransport((router) => router.service(UserService, users.handlers.impl))),
    limiter: createRedisLoginLimiter(redis.redis, { limits: LIMITS, keyPrefix: redis.keyPrefix }),
    clock: systemClock,
    logger,
    tokens: {
      issuer: ISSUER,
      audience: AUDIENCE,
      ttlSeconds: 600,
      clockToleranceSeconds: 10,
      rotateAfterDays: 30,
      keyEncryptionKey: new Uint8Array(randomBytes(32)),
    },
    login: {
      argon2: ARGON2,
      sessions: sessionPolicy({ idleTimeoutMs: 3_600_000, maxAgeMs: 86_400_000 }),
      limits: LIMITS,
      trustedProxyHops: 1,
    },
  });
  for (const id of TENANTS) {
    await auth.tenants.add(
      Tenant.create({ id: parseTenantId(id), displayName: id, currency: "EUR", defaultLocale: "en" }, new Date()),
      operator,
    );
  }
  const running: RunningProcess = await startProcess({ modules: [auth], logger, port: 0, host: "127.0.0.1", drainMs: 200 });
  const grpc = createGrpcTransport(`127.0.0.1:${running.server.port}`);
  const transports: Record<"grpc" | "connect", Transport> = {
    grpc,
    connect: createConnectTransport({ baseUrl: running.server.url, httpVersion: "1.1" }),
  };
  return {
    url: running.server.url,
    db,
    redis,
    users,
    bus,
    auth,
    client: (transport: keyof typeof transports): Client<typeof AuthService> => createClient(AuthService, transports[transport]),
    /** SetCredential is internal: served over gRPC only. */
    internal: createClient(AuthService, grpc),
    async stop() {
      grpc.close();
      await running.stop();
      await redis.dispose();
      await db.dispose();
    },
  };
}

export type AuthServiceUnderTest = Awaited<ReturnType<typeof startAuthServiceUnderTest>>;
