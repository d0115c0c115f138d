// make bench-rpc: one unary call through shopmesh's RPC plumbing, over gRPC and over Connect
// JSON, next to the same message served by bare grpc-js and bare connect-node, in one run.
// Bounded: BENCH_SECONDS per measurement (default 5), 50 calls in flight, loopback only.
import { PING_SERVER as SERVER, pingConnectJsonLoad, pingGrpcLoad, plumbingFigures } from "../support/ping-plumbing.ts";
import { type Figure, figureRow, IN_FLIGHT, measure, SECONDS } from "../support/rpc-load.ts";

const plumbing = await plumbingFigures();
const grpcBare = await measure(SERVER, ["bare-grpc-js"], (s) => pingGrpcLoad("gRPC          bare grpc-js", s.grpcPort));
const grpcConnect = await measure(SERVER, ["bare-connect-node"], (s) =>
  pingGrpcLoad("gRPC          bare connect-node (h2c)", s.grpcPort),
);
const jsonBare = await measure(SERVER, ["bare-connect-node"], (s) =>
  pingConnectJsonLoad("Connect JSON  bare connect-node", s.httpPort),
);

const rows: [Figure, Figure][] = [
  [plumbing.grpc, grpcBare],
  [grpcBare, grpcBare],
  [grpcConnect, grpcBare],
  [plumbing.json, jsonBare],
  [jsonBare, jsonBare],
];
console.log(
  `\nRPC benchmark: one unary Ping (~270 B), ${IN_FLIGHT} in flight, ${SECONDS}s each, Node ${process.versions.node}, client and server on this machine`,
);
console.log("transport / server                      calls/s    p50 ms   p99 ms   ratio to bare baseline");
for (const [figure, baseline] of rows) console.log(figureRow(figure, baseline));
