import http from "node:http";
import net from "node:net";
import type { DescService } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Server as GrpcServer, ServerCredentials } from "@grpc/grpc-js";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.ts";
import type { HealthProbe } from "../../core/kit/health.ts";
import type { Logger } from "../observability/logger.ts";
import { connectRoutes } from "./connect-routes.ts";
import { grpcImplementation } from "./grpc-server-handlers.ts";
import { grpcServiceDefinition } from "./grpc-bridge.ts";
import { HealthRegistry, healthService } from "./health-service.ts";
import { addReflection } from "./reflection.ts";
import { type ServiceHandlers, serviceHandlers } from "./service-handlers.ts";

export interface RpcServerOptions {
  readonly handlers: readonly ServiceHandlers[];
  readonly probes: readonly HealthProbe[];
  readonly logger: Logger;
  /** Time in-flight calls get to finish on shutdown before connections are cut. */
  readonly drainMs?: number;
  /** Plain HTTP/1.1 routes by exact path, next to /healthz and /readyz (e.g. the JWKS document). */
  readonly httpRoutes?: Readonly<Record<string, HttpRoute>>;
}

/** A plain HTTP handler; it answers every method itself (405 for those it does not serve). */
export type HttpRoute = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface RunningRpcServer {
  readonly port: number;
  readonly url: string;
  readonly health: HealthRegistry;
  close(): Promise<void>;
}

const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0");

/**
 * One port per process, three protocols: HTTP/2 cleartext connections (gRPC from internal
 * callers, grpcurl, buf curl) go to grpc-js, the fastest server here; HTTP/1.1 connections go
 * to connect-node, which answers Connect (JSON or binary) and gRPC-Web for browsers (with our
 * Connect unary handler: connect-routes.ts). The same handler objects serve both.
 * grpc.health.v1 and server reflection come with every server.
 */
export async function startRpcServer(options: RpcServerOptions, port: number, host = "127.0.0.1"): Promise<RunningRpcServer> {
  const shutdown = new AbortController();
  const services = options.handlers.map((h) => h.service.typeName);
  const health = new HealthRegistry(options.probes, services);
  const all: ServiceHandlers[] = [
    ...options.handlers,
    serviceHandlers(Health, healthService(health), { logger: options.logger, resolveIdentity: noIdentity }),
  ];

  const grpcInFlight = { count: 0 };
  const grpc = new GrpcServer({ "grpc.max_receive_message_length": 4 * 1024 * 1024 });
  for (const { service, impl } of all)
    grpc.addService(grpcServiceDefinition(service), grpcImplementation(service, impl, shutdown.signal, grpcInFlight));
  addReflection(
    grpc,
    all.map((h) => h.service as DescService),
  );
  const injector = grpc.createConnectionInjector(ServerCredentials.createInsecure());

  const connect = http.createServer(
    connectNodeAdapter({
      routes: connectRoutes(all),
      // No shutdownSignal here: cutting the connections at the drain deadline aborts these handlers.
      fallback: (req, res) => {
        const route = routeFor(req.url, options.httpRoutes);
        if (!route) return void probeEndpoint(req, res, health);
        Promise.resolve()
          .then(() => route(req as http.IncomingMessage, res as http.ServerResponse))
          .catch((err) => {
            options.logger.error({ err, path: req.url }, "http route failed");
            if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
            res.end("internal error\n");
          });
      },
    }),
  );

  let http1InFlight = 0;
  connect.on("request", (_req, res: http.ServerResponse) => {
    http1InFlight++;
    res.once("close", () => http1InFlight--);
  });
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    routeConnection(socket, injector.injectConnection, connect);
  });
  await new Promise<void>((resolve, reject) => tcp.once("error", reject).listen(port, host, resolve));
  const bound = (tcp.address() as net.AddressInfo).port;

  return {
    port: bound,
    url: `http://${host}:${bound}`,
    health,
    async close() {
      health.drain();
      const drainMs = options.drainMs ?? 5_000;
      const deadline = Date.now() + drainMs;
      const stopped = new Promise<void>((resolve) => tcp.close(() => resolve()));
      injector.drain(drainMs);
      connect.closeIdleConnections();
      const timer = setTimeout(() => {
        shutdown.abort();
        grpc.forceShutdown();
      }, drainMs);
      await Promise.all([
        new Promise<void>((resolve) => grpc.tryShutdown(() => resolve())),
        waitUntil(() => http1InFlight === 0 && grpcInFlight.count === 0, deadline),
      ]);
      clearTimeout(timer);
      // What is left is idle (keep-alive) or past the deadline: cut it rather than wait for clients,
      // after a moment for the last responses and GOAWAYs to leave.
      connect.closeAllConnections();
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 200))]);
      injector.destroy();
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}

async function waitUntil(condition: () => boolean, deadline: number): Promise<void> {
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

function routeConnection(socket: net.Socket, toGrpc: (socket: net.Socket) => void, toHttp1: http.Server): void {
  socket.setNoDelay(true);
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    if (seen.length < HTTP2_PREFACE.length && HTTP2_PREFACE.subarray(0, seen.length).equals(seen)) return;
    socket.off("data", onData);
    socket.pause();
    socket.unshift(seen);
    if (seen.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE)) toGrpc(socket);
    else toHttp1.emit("connection", socket);
    process.nextTick(() => socket.resume());
  };
  socket.on("data", onData);
  socket.on("error", () => socket.destroy());
}

function routeFor(url: string | undefined, routes: RpcServerOptions["httpRoutes"]): HttpRoute | undefined {
  if (!routes || !url) return undefined;
  const path = url.split("?", 1)[0] ?? "";
  return Object.hasOwn(routes, path) ? routes[path] : undefined;
}

/** Plain HTTP probes for load balancers and Kubernetes httpGet: liveness and readiness. */
async function probeEndpoint(req: { url?: string }, res: ProbeResponse, health: HealthRegistry): Promise<void> {
  if (req.url === "/healthz") return void res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
  if (req.url === "/readyz") {
    const { status, failing } = await health.check();
    const ready = status === Status.SERVING;
    return void res
      .writeHead(ready ? 200 : 503, { "content-type": "text/plain" })
      .end(ready ? "ready\n" : `not ready: ${failing.join(", ")}\n`);
  }
  res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
}

interface ProbeResponse {
  writeHead(status: number, headers: Record<string, string>): { end(body: string): void };
}

const noIdentity = async () => ({ tenantId: undefined, caller: undefined });
