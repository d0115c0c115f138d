import { fromBinary } from "@bufbuild/protobuf";
import type { Redis } from "ioredis";
import type { Clock } from "../../../../core/kit/clock.ts";
import type { IntegrationEvent } from "../../../../core/kit/integration-event.ts";
import { createMemoryEventBus } from "../../../../adapters/memory/memory-event-bus.ts";
import { MemoryCredentialRegistry } from "../../../../adapters/memory/users/memory-credential-registry.ts";
import { createLogger } from "../../../../adapters/observability/logger.ts";
import { createRedisClient, whenReady } from "../../../../adapters/redis/redis-client.ts";
import { createRedisProfileCache } from "../../../../adapters/redis/redis-profile-cache.ts";
import { createGrpcTransport, type GrpcTransport } from "../../../../adapters/rpc/grpc-transport.ts";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { Transport } from "@connectrpc/connect";
import { EmailVerificationRequestedSchema, PasswordResetRequestedSchema } from "../../../../gen/shop/events/v1/user_events_pb.ts";
import { type RunningProcess, startProcess } from "../../../../services/runtime/run-process.ts";
import { usersEntities, usersModule } from "../../../../services/users/users-module.ts";
import { openSqlTestDatabase, type SqlTestDatabase } from "../../../support/sql-test-database.ts";
import { requiredEnv } from "../../../support/required-env.ts";
import { type TestIdentity, testIdentity } from "./identity.ts";

/** A clock the tests can move forward (token expiry) and back. */
export function shiftableClock(): Clock & { shift(ms: number): void } {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    shift(ms) {
      offset += ms;
    },
  };
}

export interface UsersServer {
  readonly url: string;
  readonly port: number;
  readonly db: SqlTestDatabase;
  readonly redis: Redis;
  readonly credentials: MemoryCredentialRegistry;
  readonly clock: ReturnType<typeof shiftableClock>;
  readonly identity: TestIdentity;
  /** The in-process bus the server publishes to (its outbox relay) and consumes from. */
  readonly bus: ReturnType<typeof createMemoryEventBus>;
  transport(kind: "grpc" | "connect"): Transport;
  /** The raw token of the latest verification / reset event for this user, taken from the outbox. */
  verificationToken(userId: string): Promise<string>;
  resetToken(userId: string): Promise<string>;
  eventsOf(userId: string): Promise<IntegrationEvent[]>;
  stop(): Promise<void>;
}

/**
 * UserService on port 0, on a database of its own on the local MariaDB and the local Redis
 * (or the Redis at `redisUrl`, which may be down on purpose).
 */
export async function startUsersServer(options: { redisUrl?: string } = {}): Promise<UsersServer> {
  const logger = createLogger("users-test", "silent");
  const db = await openSqlTestDatabase("mariadb", "users_component", usersEntities);
  const redis = createRedisClient(options.redisUrl ?? requiredEnv("SHOPMESH_REDIS_URL"));
  if (!options.redisUrl && !(await whenReady(redis, 5_000))) throw new Error("Redis did not answer within 5 s");
  const credentials = new MemoryCredentialRegistry();
  const clock = shiftableClock();
  const identity = await testIdentity();
  const bus = createMemoryEventBus();
  const module = usersModule({
    db: { ...db, close: async () => {} }, // the test disposes the database itself
    publisher: bus.publisher,
    consumer: bus.consumer,
    cache: createRedisProfileCache(redis, { ttlSeconds: 60 }),
    credentials,
    clock,
    logger,
    resolveIdentity: identity.resolveIdentity,
  });
  const running: RunningProcess = await startProcess({ modules: [module], logger, port: 0, host: "127.0.0.1", drainMs: 1_000 });
  const grpcTransports: GrpcTransport[] = [];
  const eventsOf = async (userId: string) => (await db.outbox()).filter((e) => e.key === userId);
  const latest = async (userId: string, typeName: string) => {
    const event = (await eventsOf(userId)).findLast((e) => e.type === typeName);
    if (!event) throw new Error(`no ${typeName} for ${userId} in the outbox`);
    return event;
  };
  return {
    url: running.server.url,
    port: running.server.port,
    db,
    redis,
    credentials,
    clock,
    identity,
    bus,
    transport(kind) {
      if (kind === "connect") return createConnectTransport({ baseUrl: running.server.url, httpVersion: "1.1" });
      const transport = createGrpcTransport(`127.0.0.1:${running.server.port}`);
      grpcTransports.push(transport);
      return transport;
    },
    async verificationToken(userId) {
      const event = await latest(userId, EmailVerificationRequestedSchema.typeName);
      return fromBinary(EmailVerificationRequestedSchema, event.payload).verificationToken;
    },
    async resetToken(userId) {
      const event = await latest(userId, PasswordResetRequestedSchema.typeName);
      return fromBinary(PasswordResetRequestedSchema, event.payload).resetToken;
    },
    eventsOf,
    async stop() {
      for (const transport of grpcTransports) transport.close();
      await running.stop();
      redis.disconnect();
      await db.dispose();
    },
  };
}
