// The foundation benchmark's Ping through shopmesh's RPC plumbing: the "bare plumbing" figure
// that bench-rpc compares with bare servers and bench-catalog compares catalog calls with.
import { createClient } from "@connectrpc/connect";
import { create, toBinary } from "@bufbuild/protobuf";
import { PingRequestSchema, PlatformService } from "../../gen/shop/platform/v1/platform_pb.ts";
import { createGrpcTransport } from "../../adapters/rpc/grpc-transport.ts";
import { connectJsonLoad, type Figure, grpcLoad, measure } from "./rpc-load.ts";

// ~270 bytes on the wire, like the figures in FIELD-NOTES.md.
const PAYLOAD = "x".repeat(256);
export const PING_SERVER = new URL("../rpc/bench-server.ts", import.meta.url);
const PING_PATH = `/${PlatformService.typeName}/Ping`;

/** Ping over gRPC: one decoded call checks the answer, then the bare-client load. */
export async function pingGrpcLoad(name: string, port: number): Promise<Figure> {
  const transport = createGrpcTransport(`127.0.0.1:${port}`);
  const check = await createClient(PlatformService, transport).ping({ payload: "check" });
  transport.close();
  if (check.payload !== "check") throw new Error(`${name}: wrong answer ${JSON.stringify(check)}`);
  const request = toBinary(PingRequestSchema, create(PingRequestSchema, { payload: PAYLOAD }));
  return grpcLoad(name, port, { path: PING_PATH, request });
}

export function pingConnectJsonLoad(name: string, port: number): Promise<Figure> {
  return connectJsonLoad(name, port, { path: PING_PATH, body: { payload: PAYLOAD } });
}

/** The bare-plumbing figures: Ping through shopmesh's RPC plumbing, gRPC then Connect JSON. */
export async function plumbingFigures(): Promise<{ grpc: Figure; json: Figure }> {
  const grpc = await measure(PING_SERVER, ["plumbing"], (s) => pingGrpcLoad("gRPC          shopmesh plumbing", s.grpcPort));
  const json = await measure(PING_SERVER, ["plumbing"], (s) =>
    pingConnectJsonLoad("Connect JSON  shopmesh plumbing", s.httpPort),
  );
  return { grpc, json };
}
