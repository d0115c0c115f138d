import type { DescMessage, DescMethodStreaming, DescMethodUnary, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import type { StreamResponse, UnaryResponse } from "@connectrpc/connect";
import {
  Client,
  credentials as grpcCredentials,
  type ChannelCredentials,
  type ChannelOptions,
  type Metadata,
  type ServiceError,
} from "@grpc/grpc-js";
import { grpcMethodDefinition, headersToMetadata, metadataToHeaders } from "./grpc-bridge.ts";

type HeaderInit = ConstructorParameters<typeof Headers>[0];

export interface GrpcTransportOptions {
  readonly credentials?: ChannelCredentials;
  readonly channelOptions?: ChannelOptions;
}

export interface GrpcTransport extends Transport {
  close(): void;
}

/**
 * A Connect Transport over a grpc-js channel: internal callers get the typed promise client
 * of `createClient(Service, transport)` and grpc-js's HTTP/2 stack (and, in the mesh, xDS).
 */
export function createGrpcTransport(target: string, options: GrpcTransportOptions = {}): GrpcTransport {
  const client = new Client(target, options.credentials ?? grpcCredentials.createInsecure(), options.channelOptions);
  return {
    close: () => client.close(),

    unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeaderInit | undefined,
      input: MessageInitShape<I>,
    ): Promise<UnaryResponse<I, O>> {
      const definition = grpcMethodDefinition(method);
      return new Promise((resolve, reject) => {
        let responseHeader = new Headers();
        // grpc-js emits "status" right after the callback, in the same tick: the trailer is
        // filled before the awaiting caller runs.
        const trailer = new Headers();
        const call = client.makeUnaryRequest(
          definition.path,
          definition.requestSerialize,
          definition.responseDeserialize,
          input,
          headersToMetadata(new Headers(header)),
          { deadline: deadlineOf(timeoutMs) },
          (error, message) => {
            if (error) reject(connectErrorOf(error));
            else
              resolve({
                stream: false,
                service: method.parent,
                method,
                header: responseHeader,
                message: message as MessageShape<O>,
                trailer,
              });
          },
        );
        call.on("metadata", (metadata: Metadata) => (responseHeader = metadataToHeaders(metadata)));
        call.on("status", (status: { metadata: Metadata }) => copyInto(trailer, metadataToHeaders(status.metadata)));
        cancelOnAbort(signal, () => call.cancel());
      });
    },

    stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeaderInit | undefined,
      input: AsyncIterable<MessageInitShape<I>>,
    ): Promise<StreamResponse<I, O>> {
      if (method.methodKind !== "server_streaming") {
        return Promise.reject(new ConnectError(`${method.methodKind} is not supported over grpc-js`, Code.Unimplemented));
      }
      const definition = grpcMethodDefinition(method);
      return firstOf(input).then(
        (request) =>
          new Promise((resolve, reject) => {
            const trailer = new Headers();
            const call = client.makeServerStreamRequest(
              definition.path,
              definition.requestSerialize,
              definition.responseDeserialize,
              request,
              headersToMetadata(new Headers(header)),
              { deadline: deadlineOf(timeoutMs) },
            );
            cancelOnAbort(signal, () => call.cancel());
            call.once("error", (error: ServiceError) => reject(connectErrorOf(error)));
            call.on("status", (status: { metadata: Metadata }) => copyInto(trailer, metadataToHeaders(status.metadata)));
            call.once("metadata", (metadata: Metadata) =>
              resolve({
                stream: true,
                service: method.parent,
                method,
                header: metadataToHeaders(metadata),
                trailer,
                message: messages<MessageShape<O>>(call),
              }),
            );
          }),
      );
    },
  };
}

async function* messages<T>(call: AsyncIterable<unknown>): AsyncIterable<T> {
  try {
    for await (const message of call) yield message as T;
  } catch (error) {
    throw connectErrorOf(error as ServiceError);
  }
}

async function firstOf<T>(input: AsyncIterable<T>): Promise<T> {
  for await (const value of input) return value;
  throw new ConnectError("a server-streaming call needs one request", Code.InvalidArgument);
}

function deadlineOf(timeoutMs: number | undefined): number {
  return timeoutMs === undefined || timeoutMs <= 0 ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
}

function cancelOnAbort(signal: AbortSignal | undefined, cancel: () => void): void {
  if (signal?.aborted) cancel();
  else signal?.addEventListener("abort", cancel, { once: true });
}

function connectErrorOf(error: ServiceError): ConnectError {
  const code = error.code in Code ? (error.code as number as Code) : Code.Unknown;
  return new ConnectError(error.details, code, error.metadata ? metadataToHeaders(error.metadata) : undefined, undefined, error);
}

function copyInto(target: Headers, source: Headers): void {
  for (const [key, value] of source) target.append(key, value);
}
