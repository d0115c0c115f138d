// Server CPU per call, over the real transports: the foundation's Ping server (plumbing) and
// the catalog bench server each serve a fixed number of calls (gRPC from a bare grpc-js client,
// Connect JSON from autocannon, 50 in flight) while their own CPU time is read from
// /proc/<pid>/stat. On a machine shared with other work, calls/s swing with the neighbours'
// load; CPU time per call in the server process swings far less, and when the server is the
// bottleneck its ratio is the throughput ratio. Linux only (reads /proc).
// Both servers stay up and the four measurements are interleaved, BENCH_ROUNDS times (default 3),
// keeping each one's least CPU per call.
//   BENCH_CALLS (default 20,000 per measurement), BENCH_NEAR_CACHE_MS as bench-server.ts.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { create, toBinary } from "@bufbuild/protobuf";
import { Client as GrpcClient, credentials, Metadata } from "@grpc/grpc-js";
import { CatalogService, GetProductRequestSchema } from "../../gen/shop/catalog/v1/catalog_pb.ts";
import { PingRequestSchema, PlatformService } from "../../gen/shop/platform/v1/platform_pb.ts";
import { PING_SERVER } from "../support/ping-plumbing.ts";
import { type BenchServer, IN_FLIGHT, startServer, stopServer } from "../support/rpc-load.ts";
import { BENCH_TENANT } from "./bench-products.ts";

const CALLS = Number(process.env.BENCH_CALLS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TICK_US = 10_000; // USER_HZ = 100 on Linux

function cpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_US; // utime, stime (fields 14 and 15)
}

async function grpcCalls(port: number, path: string, request: Uint8Array, headers: Record<string, string>, calls: number) {
  const client = new GrpcClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const bytes = (b: Buffer) => b;
  const body = Buffer.from(request);
  let issued = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
      client.makeUnaryRequest(path, bytes, bytes, body, metadata, {}, (error) => (error ? reject(error) : resolve()));
    });
  try {
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (issued++ < calls) await one();
      }),
    );
  } finally {
    client.close();
  }
}

async function jsonCalls(port: number, path: string, body: unknown, headers: Record<string, string>, calls: number) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    connections: IN_FLIGHT,
    amount: calls,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
}

/** Server CPU microseconds per call: a warm-up of a tenth, then CALLS counted. */
async function perCall(server: BenchServer, run: (calls: number) => Promise<void>): Promise<number> {
  await run(Math.ceil(CALLS / 10));
  const before = cpuUs(server.child.pid!);
  await run(CALLS);
  return (cpuUs(server.child.pid!) - before) / CALLS;
}

const pingPath = `/${PlatformService.typeName}/Ping`;
const getPath = `/${CatalogService.typeName}/GetProduct`;
const ping = await startServer(PING_SERVER, ["plumbing"]);
const catalog = await startServer(new URL("./bench-server.ts", import.meta.url), []);
const [, cache, productId] = catalog.extra as [string, string, string];
const headers = { "x-tenant-id": BENCH_TENANT };
const pingRequest = toBinary(PingRequestSchema, create(PingRequestSchema, { payload: "x".repeat(256) }));
const getRequest = toBinary(GetProductRequestSchema, create(GetProductRequestSchema, { productId }));
const measurements: [string, () => Promise<number>][] = [
  ["gRPC          Ping (plumbing)", () => perCall(ping, (n) => grpcCalls(ping.grpcPort, pingPath, pingRequest, {}, n))],
  [
    "gRPC          GetProduct (warm)",
    () => perCall(catalog, (n) => grpcCalls(catalog.grpcPort, getPath, getRequest, headers, n)),
  ],
  [
    "Connect JSON  Ping (plumbing)",
    () => perCall(ping, (n) => jsonCalls(ping.httpPort, pingPath, { payload: "x".repeat(256) }, {}, n)),
  ],
  [
    "Connect JSON  GetProduct (warm)",
    () => perCall(catalog, (n) => jsonCalls(catalog.httpPort, getPath, { productId }, headers, n)),
  ],
];
/** Interleaved rounds, the least CPU per call kept: the neighbours' noise only ever adds. */
const best = measurements.map(() => Number.POSITIVE_INFINITY);
try {
  for (let round = 0; round < ROUNDS; round++)
    for (const [i, [, measure]] of measurements.entries()) best[i] = Math.min(best[i]!, await measure());
} finally {
  await stopServer(ping.child);
  await stopServer(catalog.child);
}

console.log(
  `\nServer CPU per call (/proc), ${CALLS} calls each, ${IN_FLIGHT} in flight, best of ${ROUNDS} interleaved rounds; catalog cache: ${cache}`,
);
console.log("call                                   server CPU us/call   plumbing / call (= throughput ratio when server-bound)");
for (const [i, [name]] of measurements.entries()) {
  const baseline = best[i - (i % 2)]!;
  console.log(`${name.padEnd(38)} ${best[i]!.toFixed(0).padStart(18)}   ${(baseline / best[i]!).toFixed(2)}x`);
}
