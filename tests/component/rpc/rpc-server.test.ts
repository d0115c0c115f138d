import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Client, type ServiceImpl, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { PlatformService } from "../../../gen/shop/platform/v1/platform_pb.ts";
import { UserService } from "../../../gen/shop/users/v1/users_pb.ts";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../../gen/grpc/health/v1/health_pb.ts";
import { invalidField, rateLimited } from "../../../core/kit/domain-error.ts";
import type { HealthProbe } from "../../../core/kit/health.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import { requestContext } from "../../../adapters/rpc/call-context.ts";
import { createGrpcTransport } from "../../../adapters/rpc/grpc-transport.ts";
import { type RunningRpcServer, startRpcServer } from "../../../adapters/rpc/rpc-server.ts";
import { serviceHandlers } from "../../../adapters/rpc/service-handlers.ts";

const run = promisify(execFile);

// A handler whose behaviour the payload picks, to drive every path of the plumbing.
const impl: ServiceImpl<typeof PlatformService> = {
  async ping(request, ctx) {
    switch (request.payload) {
      case "invalid":
        throw invalidField("payload", "must not be 'invalid'");
      case "limited":
        throw rateLimited("TEST.LIMITED", "slow down", 1_500);
      case "bug":
        throw new Error("secret database password in a stack trace");
      case "tenant":
        return { payload: requestContext(ctx).tenantId, servedBy: "test", version: "t" };
      case "hang":
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
        abortedHandlers++;
        throw new Error("aborted");
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, 400));
        return { payload: "slow done", servedBy: "test", version: "t" };
      default:
        return { payload: request.payload, servedBy: "test", version: "t" };
    }
  },
  getInfo: () => ({ service: "test", version: "t", contexts: [] }),
};

// Any contract with protovalidate rules will do: the plumbing must enforce them before a handler runs.
let userHandlerCalls = 0;
const userImpl = Object.fromEntries(
  UserService.methods.map((m) => [
    m.localName,
    () => {
      userHandlerCalls++;
      return {};
    },
  ]),
) as unknown as ServiceImpl<typeof UserService>;

let healthy = true;
let abortedHandlers = 0;
const probe: HealthProbe = {
  name: "fake-database",
  ping: async () => {
    if (!healthy) throw new Error("down");
  },
};

let server: RunningRpcServer;
const transports: Record<string, () => Transport> = {};

beforeAll(async () => {
  const logger = createLogger("rpc-test", "silent");
  server = await startRpcServer(
    {
      handlers: [
        serviceHandlers(PlatformService, impl, { logger }),
        serviceHandlers(UserService, userImpl, { logger, internalMethods: ["GetUserAccess"] }),
      ],
      probes: [probe],
      logger,
      drainMs: 2_000,
      httpRoutes: {
        "/test/echo": (req, res) => void res.writeHead(200, { "content-type": "text/plain" }).end(`${req.method} ${req.url}`),
        "/test/broken": async () => {
          throw new Error("secret cause");
        },
      },
    },
    0,
  );
  transports.grpc = () => createGrpcTransport(`127.0.0.1:${server.port}`);
  transports["connect-json"] = () => createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" });
  transports["grpc-web"] = () => createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1" });
});

afterAll(async () => {
  await server?.close();
});

describe.each(["grpc", "connect-json", "grpc-web"])("one handler over %s", (name) => {
  let client: Client<typeof PlatformService>;
  beforeAll(() => {
    client = createClient(PlatformService, transports[name]!());
  });

  it("when a call succeeds, then the answer comes back and a correlation id is made and echoed", async () => {
    let header: Headers | undefined;
    const response = await client.ping({ payload: "hello" }, { onHeader: (h) => (header = h) });
    expect(response.payload).toBe("hello");
    expect(header?.get("x-correlation-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("when the caller sets a deadline, then the call completes within it", async () => {
    expect((await client.ping({ payload: "in time" }, { timeoutMs: 5_000 })).payload).toBe("in time");
  });

  it("when the caller sends a correlation id, then the same id comes back", async () => {
    let header: Headers | undefined;
    await client.ping({ payload: "x" }, { headers: { "x-correlation-id": "trace-42" }, onHeader: (h) => (header = h) });
    expect(header?.get("x-correlation-id")).toBe("trace-42");
  });

  it("when the core rejects a field, then the code is INVALID_ARGUMENT and the field is named", async () => {
    const error = await client.ping({ payload: "invalid" }).catch((e) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect((error as ConnectError).rawMessage).toContain("payload");
    expect((error as ConnectError).metadata.get("shop-error-field")).toBe("payload");
    expect((error as ConnectError).metadata.get("shop-error-code")).toBe("INVALID_ARGUMENT");
  });

  it("when a caller is rate limited, then RESOURCE_EXHAUSTED carries a retry hint", async () => {
    const error = ConnectError.from(await client.ping({ payload: "limited" }).catch((e) => e));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.metadata.get("retry-after-ms")).toBe("1500");
  });

  it("when a handler fails unexpectedly, then the caller gets INTERNAL without the cause", async () => {
    const error = ConnectError.from(await client.ping({ payload: "bug" }).catch((e) => e));
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).not.toContain("password");
  });

  it("when the tenant header is malformed, then INVALID_ARGUMENT names the header", async () => {
    const error = ConnectError.from(
      await client.ping({ payload: "tenant" }, { headers: { "x-tenant-id": "Not A Tenant!" } }).catch((e) => e),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.metadata.get("shop-error-field")).toBe("x-tenant-id");
  });

  it("when a request breaks a rule of the contract, then INVALID_ARGUMENT names the field and no handler runs", async () => {
    const users = createClient(UserService, transports[name]!());
    const before = userHandlerCalls;
    const error = ConnectError.from(
      await users
        .register(
          { email: "not-an-email", password: "long enough password 1", displayName: "A" },
          { headers: { "x-tenant-id": "acme" } },
        )
        .catch((e) => e),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.metadata.get("shop-error-field")).toBe("email");
    expect(userHandlerCalls).toBe(before);
  });

  it("when the tenant header is valid, then the handler sees that tenant", async () => {
    expect((await client.ping({ payload: "tenant" }, { headers: { "x-tenant-id": "acme" } })).payload).toBe("acme");
  });
});

describe("health", () => {
  it("when a probe fails, then grpc.health.v1 says NOT_SERVING and /readyz 503; when it recovers, SERVING", async () => {
    const health = createClient(Health, transports.grpc!());
    healthy = true;
    expect((await health.check({ service: "" })).status).toBe(Status.SERVING);
    healthy = false;
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the 1 s cache
    expect((await health.check({ service: "shop.platform.v1.PlatformService" })).status).toBe(Status.NOT_SERVING);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toContain("fake-database");
    healthy = true;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await health.check({ service: "" })).status).toBe(Status.SERVING);
  });

  it("when asked about a service the process does not serve, then SERVICE_UNKNOWN", async () => {
    const health = createClient(Health, transports["connect-json"]!());
    expect((await health.check({ service: "shop.nothing.v1.Nope" })).status).toBe(Status.SERVICE_UNKNOWN);
  });
});

describe("plain HTTP routes", () => {
  it("when a route is mounted, then its path reaches it (query included), while probes and unknown paths answer as before", async () => {
    const echo = await fetch(`${server.url}/test/echo?x=1`, { method: "POST" });
    expect(echo.status).toBe(200);
    expect(await echo.text()).toBe("POST /test/echo?x=1");
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/test/echo/more`)).status).toBe(404);
    expect((await fetch(`${server.url}/toString`)).status).toBe(404);
  });

  it("when a route fails, then 500 without the cause", async () => {
    const response = await fetch(`${server.url}/test/broken`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("secret");
  });
});

describe("reflection", () => {
  it("when buf curl lists services without any .proto file, then the served services appear", async () => {
    const { stdout } = await run("buf", ["curl", "--http2-prior-knowledge", "--protocol", "grpc", "--list-services", server.url]);
    expect(stdout.split("\n")).toEqual(expect.arrayContaining(["shop.platform.v1.PlatformService", "grpc.health.v1.Health"]));
  });

  it("when buf curl calls a method by reflection, then it gets the JSON answer", async () => {
    const { stdout } = await run("buf", [
      "curl",
      "--http2-prior-knowledge",
      "--protocol",
      "grpc",
      "-d",
      '{"payload":"via reflection"}',
      `${server.url}/shop.platform.v1.PlatformService/Ping`,
    ]);
    expect(JSON.parse(stdout).payload).toBe("via reflection");
  });
});

describe("internal methods", () => {
  it("when a browser-side client calls an internal method, then it is not there; over gRPC it is served", async () => {
    for (const name of ["connect-json", "grpc-web"]) {
      const users = createClient(UserService, transports[name]!());
      const error = ConnectError.from(
        await users.getUserAccess({ userId: "u-1" }, { headers: { "x-tenant-id": "acme" } }).catch((e) => e),
      );
      expect(error.code).toBe(Code.Unimplemented);
    }
    const before = userHandlerCalls;
    const internal = createClient(UserService, transports.grpc!());
    await internal.getUserAccess({ userId: "u-1" }, { headers: { "x-tenant-id": "acme" } });
    expect(userHandlerCalls).toBe(before + 1);
  });
});

describe("graceful shutdown", () => {
  it.each(["grpc", "connect-json"])(
    "when a call outlives the drain deadline over %s, then its handler is aborted",
    async (name) => {
      const logger = createLogger("rpc-test", "silent");
      const own = await startRpcServer(
        { handlers: [serviceHandlers(PlatformService, impl, { logger })], probes: [], logger, drainMs: 300 },
        0,
      );
      const transport =
        name === "grpc"
          ? createGrpcTransport(`127.0.0.1:${own.port}`)
          : createConnectTransport({ baseUrl: own.url, httpVersion: "1.1" });
      const before = abortedHandlers;
      const hanging = createClient(PlatformService, transport)
        .ping({ payload: "hang" })
        .catch((e) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await own.close();
      expect(await hanging).toBeInstanceOf(Error);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(abortedHandlers).toBe(before + 1);
    },
  );

  it("when a browser keeps its connection alive, then closing the server does not wait for it", async () => {
    const logger = createLogger("rpc-test", "silent");
    const own = await startRpcServer(
      { handlers: [serviceHandlers(PlatformService, impl, { logger })], probes: [], logger, drainMs: 3_000 },
      0,
    );
    const client = createClient(PlatformService, createConnectTransport({ baseUrl: own.url, httpVersion: "1.1" }));
    expect((await client.ping({ payload: "keep-alive" })).payload).toBe("keep-alive");
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("when the server closes during a call, then the call finishes and new connections are refused", async () => {
    const logger = createLogger("rpc-test", "silent");
    const own = await startRpcServer(
      { handlers: [serviceHandlers(PlatformService, impl, { logger })], probes: [], logger, drainMs: 3_000 },
      0,
    );
    const client = createClient(PlatformService, createGrpcTransport(`127.0.0.1:${own.port}`));
    const inFlight = client.ping({ payload: "slow" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = own.close();
    expect((await inFlight).payload).toBe("slow done");
    await closed;
    await expect(fetch(`${own.url}/healthz`)).rejects.toThrow();
  });
});
