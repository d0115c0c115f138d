import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRouterTransport } from "@connectrpc/connect";
import { isDomainError } from "../../../core/kit/domain-error.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { UserService } from "../../../gen/shop/users/v1/users_pb.ts";
import { MemoryUserAccessLookup } from "../../../adapters/memory/auth/memory-user-access-lookup.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import { createRpcUserAccessLookup } from "../../../adapters/rpc/auth/rpc-user-access-lookup.ts";
import { createGrpcTransport } from "../../../adapters/rpc/grpc-transport.ts";
import { startRpcServer } from "../../../adapters/rpc/rpc-server.ts";
import { fakeUserService } from "./support/fake-user-service.ts";
import { userAccessLookupContract } from "./user-access-lookup.contract.ts";

const logger = createLogger("user-access-lookup-test", "silent");
const fakeUsers = () => fakeUserService(logger);

userAccessLookupContract("memory", async () => {
  const lookup = new MemoryUserAccessLookup();
  return { lookup, put: (tenant, access) => lookup.put(tenant, access), dispose: async () => {} };
});

userAccessLookupContract("Connect client, in-process router transport", async () => {
  const users = fakeUsers();
  const transport = createRouterTransport((router) => router.service(UserService, users.handlers.impl));
  return { lookup: createRpcUserAccessLookup(transport), put: users.put, dispose: async () => {} };
});

userAccessLookupContract("Connect client over gRPC", async () => {
  const users = fakeUsers();
  const server = await startRpcServer({ handlers: [users.handlers], probes: [], logger, drainMs: 100 }, 0);
  const transport = createGrpcTransport(`127.0.0.1:${server.port}`);
  return {
    lookup: createRpcUserAccessLookup(transport),
    put: users.put,
    dispose: async () => {
      transport.close();
      await server.close();
    },
  };
});

describe("UserAccessLookup over gRPC: what the wire adds", () => {
  const users = fakeUsers();
  let server: Awaited<ReturnType<typeof startRpcServer>>;
  beforeAll(async () => {
    server = await startRpcServer({ handlers: [users.handlers], probes: [], logger, drainMs: 100 }, 0);
  });
  afterAll(async () => {
    await server?.close();
  });

  const ctx = {
    tenantId: parseTenantId("acme"),
    caller: undefined,
    correlationId: "corr-42",
    signal: new AbortController().signal,
  };

  it("when auth asks, then users hears the caller's tenant and correlation id", async () => {
    const transport = createGrpcTransport(`127.0.0.1:${server.port}`);
    users.put("acme", { userId: "u-1", status: "active", roles: ["customer"], emailVerified: true });
    await createRpcUserAccessLookup(transport).find(ctx, "u-1");
    expect(users.seen.at(-1)).toEqual({ tenant: "acme", correlationId: "corr-42" });
    transport.close();
  });

  it("when users cannot be reached, then UNAVAILABLE, never 'no such user'", async () => {
    const transport = createGrpcTransport("127.0.0.1:1");
    const error = await createRpcUserAccessLookup(transport, { timeoutMs: 500 })
      .find(ctx, "u-1")
      .catch((e: unknown) => e);
    expect(isDomainError(error) && error.kind).toBe("unavailable");
    transport.close();
  });
});
