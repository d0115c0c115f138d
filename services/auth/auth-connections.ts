import type { Redis } from "ioredis";
import type { GrpcTransport } from "../../adapters/rpc/grpc-transport.ts";
import type { ContextModule } from "../runtime/context-module.ts";

/**
 * The auth process's connections to other servers as a module: a readiness probe on Redis
 * (logins fail closed without it), and closing both on stop. List it before the auth module,
 * so it stops after auth has.
 */
export function authConnectionsModule(redis: Redis, users: GrpcTransport): ContextModule {
  return {
    name: "auth-connections",
    handlers: [],
    probes: [{ name: "auth-redis", ping: async () => void (await redis.ping()) }],
    async stop() {
      users.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
