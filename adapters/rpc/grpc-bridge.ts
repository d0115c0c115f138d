import { create, fromBinary, toBinary, type DescMethod, type DescService } from "@bufbuild/protobuf";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import { Metadata } from "@grpc/grpc-js";
import { decodeBinaryHeader, encodeBinaryHeader } from "@connectrpc/connect";
import { serializeFrozenOnce } from "./frozen-response-bytes.ts";

/**
 * protobuf-es v2 has no official bridge to @grpc/grpc-js: this builds grpc-js's service
 * definition from a generated descriptor, so no proto-loader runs at runtime.
 */
export function grpcServiceDefinition(service: DescService): ServiceDefinition {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) definition[method.name] = grpcMethodDefinition(method);
  return definition;
}

export function grpcMethodDefinition(method: DescMethod): MethodDefinition<unknown, unknown> {
  return {
    path: `/${method.parent.typeName}/${method.name}`,
    originalName: method.localName,
    requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
    responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
    requestSerialize: (message) => Buffer.from(toBinary(method.input, create(method.input, message as never))),
    requestDeserialize: (bytes: Buffer) => fromBinary(method.input, bytes),
    responseSerialize: serializeFrozenOnce((message) =>
      Buffer.from(toBinary(method.output, create(method.output, message as never))),
    ),
    responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
  };
}

/** gRPC metadata as fetch Headers (binary values base64, as Connect carries them). */
export function metadataToHeaders(metadata: Metadata): Headers {
  const headers = new Headers();
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    for (const value of values) {
      headers.append(key, typeof value === "string" ? value : encodeBinaryHeader(value));
    }
  }
  return headers;
}

export function headersToMetadata(headers: Headers | undefined): Metadata {
  const metadata = new Metadata();
  headers?.forEach((value, key) => {
    if (key.endsWith("-bin")) metadata.add(key, Buffer.from(decodeBinaryHeader(value)));
    else metadata.add(key, value);
  });
  return metadata;
}
