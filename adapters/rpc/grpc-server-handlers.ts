import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type {
  ServerUnaryCall,
  ServerWritableStream,
  sendUnaryData,
  UntypedServiceImplementation,
  StatusObject,
  status,
} from "@grpc/grpc-js";
import { Code, ConnectError, createHandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { headersToMetadata, metadataToHeaders } from "./grpc-bridge.ts";

// A finished call's context is aborted only when it holds a deadline timer to clear: aborting
// every call (a DOMException, linked signals, listeners) cost a quarter of the server's
// throughput. Handlers see their signal fire on cancellation, deadline or shutdown.
const CALL_COMPLETED = new ConnectError("call completed", Code.Canceled);
const finish = (ctx: { timeoutMs(): number | undefined; abort(reason: unknown): void }) => {
  if (ctx.timeoutMs() !== undefined) ctx.abort(CALL_COMPLETED);
};

type AnyImpl = (input: unknown, ctx: unknown) => unknown;
type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/**
 * Serves a Connect-style ServiceImpl on a grpc-js server: the same handler object answers
 * internal gRPC callers here and browsers through connect-node.
 */
export function grpcImplementation<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  shutdownSignal: AbortSignal,
  inFlight: { count: number } = { count: 0 },
): UntypedServiceImplementation {
  const handlers: UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const inner = (impl as unknown as Record<string, AnyImpl>)[method.localName];
    if (!inner) throw new Error(`${service.typeName}: no handler for ${method.name}`);
    switch (method.methodKind) {
      case "unary":
        handlers[method.name] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
          const ctx = handlerContext(service, method, call, shutdownSignal);
          inFlight.count++;
          Promise.resolve()
            .then(() => inner(call.request, ctx))
            .then(
              (response) => {
                call.sendMetadata(headersToMetadata(ctx.responseHeader));
                callback(null, response, headersToMetadata(ctx.responseTrailer));
              },
              (error) => callback(grpcStatus(error, ctx.responseHeader)),
            )
            .finally(() => {
              inFlight.count--;
              finish(ctx);
            });
        };
        break;
      case "server_streaming":
        handlers[method.name] = (call: ServerWritableStream<unknown, unknown>) => {
          const ctx = handlerContext(service, method, call, shutdownSignal);
          inFlight.count++;
          (async () => {
            let headerSent = false;
            for await (const response of inner(call.request, ctx) as AsyncIterable<unknown>) {
              if (!headerSent) call.sendMetadata(headersToMetadata(ctx.responseHeader));
              headerSent = true;
              if (!call.write(response)) await new Promise((resolve) => call.once("drain", resolve));
            }
            call.end(headersToMetadata(ctx.responseTrailer));
          })()
            .catch((error) => call.emit("error", grpcStatus(error, ctx.responseHeader)))
            .finally(() => {
              inFlight.count--;
              finish(ctx);
            });
        };
        break;
      default:
        throw new Error(`${method.parent.typeName}/${method.name}: ${method.methodKind} is not served over grpc-js`);
    }
  }
  return handlers;
}

function handlerContext(service: DescService, method: DescMethod, call: AnyCall, shutdownSignal: AbortSignal) {
  const requestSignal = new AbortController();
  call.once("cancelled", () => requestSignal.abort(new ConnectError("cancelled by the caller", Code.Canceled)));
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  return createHandlerContext({
    service,
    method,
    protocolName: "grpc",
    requestMethod: "POST",
    url: `/${service.typeName}/${method.name}`,
    requestHeader: metadataToHeaders(call.metadata),
    requestSignal: requestSignal.signal,
    shutdownSignal,
    timeoutMs: Number.isFinite(deadlineMs) ? Math.max(0, deadlineMs - Date.now()) : undefined,
  });
}

function grpcStatus(error: unknown, responseHeader: Headers): Partial<StatusObject> {
  const connectError = error instanceof ConnectError ? error : new ConnectError("internal error", Code.Internal);
  const metadata = headersToMetadata(responseHeader);
  metadata.merge(headersToMetadata(connectError.metadata));
  return { code: connectError.code as number as status, details: connectError.rawMessage, metadata };
}
