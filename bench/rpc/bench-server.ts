// One server for the RPC benchmark, in its own process so that client and server each get an
// event loop. Prints "READY <grpcPort> <http1Port>" once listening.
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { ServiceImpl } from "@connectrpc/connect";
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import { type PingRequest, PingResponseSchema, PlatformService } from "../../gen/shop/platform/v1/platform_pb.ts";
import { grpcServiceDefinition } from "../../adapters/rpc/grpc-bridge.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import { startRpcServer } from "../../adapters/rpc/rpc-server.ts";
import { platformHandlers } from "../../services/platform/platform-handlers.ts";

const mode = process.argv[2];
const handlers = platformHandlers({ service: "bench", version: "bench", runMode: "distributed", contexts: () => [] });
const bareImpl: ServiceImpl<typeof PlatformService> = handlers;

async function listen(server: http.Server | http2.Http2Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

process.on("SIGINT", () => process.exit(0));
switch (mode) {
  case "plumbing": {
    const logger = createLogger("bench", "warn");
    const server = await startRpcServer(
      { handlers: [serviceHandlers(PlatformService, handlers, { logger })], probes: [], logger },
      0,
    );
    console.log(`READY ${server.port} ${server.port}`);
    break;
  }
  case "bare-grpc-js": {
    const server = new Server();
    server.addService(grpcServiceDefinition(PlatformService), {
      Ping: (call: ServerUnaryCall<PingRequest, unknown>, callback: sendUnaryData<unknown>) =>
        callback(null, create(PingResponseSchema, { payload: call.request.payload, servedBy: "bare", version: "bench" })),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    console.log(`READY ${port} 0`);
    break;
  }
  case "bare-connect-node": {
    const routes = connectNodeAdapter({ routes: (router) => void router.service(PlatformService, bareImpl) });
    const h2 = await listen(http2.createServer(routes));
    const h1 = await listen(http.createServer(routes));
    console.log(`READY ${h2} ${h1}`);
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
