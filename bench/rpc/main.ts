// make bench-rpc: one unary call through shopmesh's RPC plumbing, over gRPC and over Connect
// JSON, next to the same message served by bare grpc-js and bare connect-node, in one run.
// Bounded: BENCH_SECONDS per measurement (default 5), 50 calls in flight, loopback only.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { createClient } from "@connectrpc/connect";
import { create, toBinary } from "@bufbuild/protobuf";
import { Client as GrpcClient, credentials, Metadata } from "@grpc/grpc-js";
import { PingRequestSchema, PlatformService } from "../../gen/shop/platform/v1/platform_pb.ts";
import { createGrpcTransport } from "../../adapters/rpc/grpc-transport.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const IN_FLIGHT = 50;
// ~270 bytes on the wire, like the figures in FIELD-NOTES.md.
const PAYLOAD = "x".repeat(256);

interface Figure {
  readonly name: string;
  readonly callsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

async function startServer(mode: string): Promise<{ child: ChildProcess; grpcPort: number; httpPort: number }> {
  const child = spawn(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", new URL("./bench-server.ts", import.meta.url).pathname, mode],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  for await (const line of createInterface({ input: child.stdout! })) {
    const [word, grpcPort, httpPort] = line.split(" ");
    if (word === "READY") return { child, grpcPort: Number(grpcPort), httpPort: Number(httpPort) };
  }
  throw new Error(`${mode} server exited before it was ready`);
}

async function stopServer(child: ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  await once(child, "exit");
}

async function grpcLoad(name: string, port: number): Promise<Figure> {
  // The load comes from a bare grpc-js client sending pre-encoded bytes, so that the client,
  // which shares the two cores, costs as little as it can; one decoded call checks the answer.
  const check = await createClient(PlatformService, createGrpcTransport(`127.0.0.1:${port}`)).ping({ payload: "check" });
  if (check.payload !== "check") throw new Error(`${name}: wrong answer ${JSON.stringify(check)}`);
  const client = new GrpcClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const request = Buffer.from(toBinary(PingRequestSchema, create(PingRequestSchema, { payload: PAYLOAD })));
  const path = `/${PlatformService.typeName}/Ping`;
  const bytes = (b: Buffer) => b;
  const call = () =>
    new Promise<void>((resolve, reject) =>
      client.makeUnaryRequest(path, bytes, bytes, request, new Metadata(), {}, (error) => (error ? reject(error) : resolve())),
    );
  const run = async (ms: number, latencies: number[] | undefined) => {
    const until = performance.now() + ms;
    let calls = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (performance.now() < until) {
          const start = performance.now();
          await call();
          latencies?.push(performance.now() - start);
          calls++;
        }
      }),
    );
    return calls;
  };
  await run(1_000, undefined);
  const latencies: number[] = [];
  const started = performance.now();
  const calls = await run(SECONDS * 1_000, latencies);
  const elapsed = (performance.now() - started) / 1_000;
  client.close();
  latencies.sort((a, b) => a - b);
  return { name, callsPerSecond: calls / elapsed, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
}

async function connectJsonLoad(name: string, port: number): Promise<Figure> {
  const options = {
    url: `http://127.0.0.1:${port}/shop.platform.v1.PlatformService/Ping`,
    method: "POST" as const,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ payload: PAYLOAD }),
    connections: IN_FLIGHT,
  };
  await autocannon({ ...options, duration: 1 });
  const result = await autocannon({ ...options, duration: SECONDS });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { name, callsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
}

async function measure<T>(mode: string, work: (ports: { grpcPort: number; httpPort: number }) => Promise<T>): Promise<T> {
  const server = await startServer(mode);
  try {
    return await work(server);
  } finally {
    await stopServer(server.child);
  }
}

const grpcPlumbing = await measure("plumbing", (s) => grpcLoad("gRPC          shopmesh plumbing", s.grpcPort));
const grpcBare = await measure("bare-grpc-js", (s) => grpcLoad("gRPC          bare grpc-js", s.grpcPort));
const grpcConnect = await measure("bare-connect-node", (s) => grpcLoad("gRPC          bare connect-node (h2c)", s.grpcPort));
const jsonPlumbing = await measure("plumbing", (s) => connectJsonLoad("Connect JSON  shopmesh plumbing", s.httpPort));
const jsonBare = await measure("bare-connect-node", (s) => connectJsonLoad("Connect JSON  bare connect-node", s.httpPort));

const rows: [Figure, Figure][] = [
  [grpcPlumbing, grpcBare],
  [grpcBare, grpcBare],
  [grpcConnect, grpcBare],
  [jsonPlumbing, jsonBare],
  [jsonBare, jsonBare],
];
console.log(
  `\nRPC benchmark: one unary Ping (~270 B), ${IN_FLIGHT} in flight, ${SECONDS}s each, Node ${process.versions.node}, client and server on this machine`,
);
console.log("transport / server                      calls/s    p50 ms   p99 ms   ratio to bare baseline");
for (const [figure, baseline] of rows) {
  console.log(
    `${figure.name.padEnd(38)} ${figure.callsPerSecond.toFixed(0).padStart(9)} ${figure.p50Ms.toFixed(2).padStart(8)} ${figure.p99Ms.toFixed(2).padStart(8)}   ${(figure.callsPerSecond / baseline.callsPerSecond).toFixed(2)}x of ${baseline.name.replace(/\s+/g, " ")}`,
  );
}
