import { type ConnectRouter, createMethodImplSpec } from "@connectrpc/connect";
import { createUniversalMethodHandler, validateUniversalHandlerOptions } from "@connectrpc/connect/protocol";
import { createHandlerFactory as grpcHandlerFactory } from "@connectrpc/connect/protocol-grpc";
import { createHandlerFactory as grpcWebHandlerFactory } from "@connectrpc/connect/protocol-grpc-web";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { connectHandlerFactory } from "./connect-unary-handler.ts";
import type { ServiceHandlers } from "./service-handlers.ts";

/**
 * The routes connect-node serves on HTTP/1.1: every method but the internal ones, over gRPC,
 * gRPC-Web and Connect (connect-node's order and default compressions), with Connect's unary
 * handler ours (connect-unary-handler.ts: frozen answers serialized once). router.rpc() would
 * build connect-node's own handlers, so the methods go into router.handlers, where it puts them.
 */
export function connectRoutes(all: readonly ServiceHandlers[]): (router: ConnectRouter) => void {
  const options = validateUniversalHandlerOptions({ acceptCompression: [compressionGzip, compressionBrotli] });
  const protocols = [grpcHandlerFactory(options), grpcWebHandlerFactory(options), connectHandlerFactory(options)];
  return (router) => {
    // Internal methods (service to service) are not served to browsers: only over gRPC.
    for (const { service, impl, internalMethods } of all) {
      for (const method of service.methods) {
        if (internalMethods.has(method.name)) continue;
        const spec = createMethodImplSpec(method, (impl as Record<string, never>)[method.localName]!);
        router.handlers.push(createUniversalMethodHandler(spec, protocols));
      }
    }
  };
}
