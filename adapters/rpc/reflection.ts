import { toBinary, type DescFile, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { ReflectionService } from "@grpc/reflection";
import type { Server } from "@grpc/grpc-js";

/**
 * gRPC server reflection (v1 and v1alpha) from the generated descriptors, so that `buf curl`
 * and grpcurl can call a service without its .proto files.
 */
export function addReflection(server: Server, services: readonly DescService[]): void {
  const definitions: Record<string, { fileDescriptorProtos: Buffer[] }> = {};
  for (const service of services) {
    definitions[service.typeName] = { fileDescriptorProtos: withDependencies(service.file).map(encode) };
  }
  new ReflectionService(definitions as never).addToServer(server);
}

function withDependencies(file: DescFile, seen = new Set<string>()): DescFile[] {
  if (seen.has(file.name)) return [];
  seen.add(file.name);
  return [file, ...file.dependencies.flatMap((dependency) => withDependencies(dependency, seen))];
}

function encode(file: DescFile): Buffer {
  return Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto));
}
