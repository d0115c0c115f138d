// What the RPC benchmarks share: a server in a child process, a bounded gRPC load from a bare
// grpc-js client sending pre-encoded bytes, a Connect JSON load from autocannon, percentiles.
// Loopback only; every measurement is bounded by BENCH_SECONDS (default 5) after a 1 s warm-up.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { Client as GrpcClient, credentials, Metadata } from "@grpc/grpc-js";

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
export const IN_FLIGHT = 50;

export interface Figure {
  readonly name: string;
  readonly callsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface BenchServer {
  readonly child: ChildProcess;
  readonly grpcPort: number;
  readonly httpPort: number;
  /** The words after the ports on the READY line. */
  readonly extra: readonly string[];
  /** Resolves with the words after `word` on the child's next stdout line starting with it. */
  waitFor(word: string): Promise<string[]>;
}

/** Starts `script` with `args`; resolves on its "READY <grpcPort> <httpPort> ..." line. */
export async function startServer(
  script: URL,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<BenchServer> {
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", script.pathname, ...args], {
    stdio: ["pipe", "pipe", "inherit"],
    env,
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: { word: string; resolve: (words: string[]) => void; reject: (error: Error) => void }[] = [];
  lines.on("line", (line) => {
    const [first, ...rest] = line.split(" ");
    const at = waiting.findIndex((w) => w.word === first);
    if (at >= 0) waiting.splice(at, 1)[0]!.resolve(rest);
  });
  lines.on("close", () => {
    for (const w of waiting.splice(0)) w.reject(new Error(`${script.pathname} ${args.join(" ")} exited before "${w.word}"`));
  });
  const waitFor = (word: string) => new Promise<string[]>((resolve, reject) => waiting.push({ word, resolve, reject }));
  const [grpcPort, httpPort, ...extra] = await waitFor("READY");
  return { child, grpcPort: Number(grpcPort), httpPort: Number(httpPort), extra, waitFor };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGKILL");
  await once(child, "exit");
}

export interface GrpcLoadOptions {
  /** `/<service>/<Method>` */
  readonly path: string;
  /** The request, already encoded. */
  readonly request: Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
  readonly inFlight?: number;
  readonly seconds?: number;
}

/**
 * Unary calls from a bare grpc-js client (pre-encoded bytes, so the client, which shares the
 * cores, costs as little as it can): 1 s warm-up, then `seconds` measured. Callers check one
 * decoded answer themselves before.
 */
export async function grpcLoad(name: string, port: number, options: GrpcLoadOptions): Promise<Figure> {
  const client = new GrpcClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const request = Buffer.from(options.request);
  const bytes = (b: Buffer) => b;
  const metadata = () => {
    const m = new Metadata();
    for (const [key, value] of Object.entries(options.headers ?? {})) m.set(key, value);
    return m;
  };
  const call = () =>
    new Promise<void>((resolve, reject) =>
      client.makeUnaryRequest(options.path, bytes, bytes, request, metadata(), {}, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  const run = async (ms: number, latencies: number[] | undefined) => {
    const until = performance.now() + ms;
    let calls = 0;
    await Promise.all(
      Array.from({ length: options.inFlight ?? IN_FLIGHT }, async () => {
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
  try {
    await run(1_000, undefined);
    const latencies: number[] = [];
    const started = performance.now();
    const calls = await run((options.seconds ?? SECONDS) * 1_000, latencies);
    const elapsed = (performance.now() - started) / 1_000;
    latencies.sort((a, b) => a - b);
    return { name, callsPerSecond: calls / elapsed, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
  } finally {
    client.close();
  }
}

export interface ConnectJsonLoadOptions {
  /** `/<service>/<Method>` */
  readonly path: string;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Connect JSON over HTTP/1.1 from autocannon, IN_FLIGHT connections: 1 s warm-up, then SECONDS measured. */
export async function connectJsonLoad(name: string, port: number, options: ConnectJsonLoadOptions): Promise<Figure> {
  const request = {
    url: `http://127.0.0.1:${port}${options.path}`,
    method: "POST" as const,
    headers: { "content-type": "application/json", ...options.headers },
    body: JSON.stringify(options.body),
    connections: IN_FLIGHT,
  };
  await autocannon({ ...request, duration: 1 });
  const result = await autocannon({ ...request, duration: SECONDS });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { name, callsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

export function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
}

/** Runs `work` against a fresh server, always stopping it. */
export async function measure<T>(script: URL, args: readonly string[], work: (server: BenchServer) => Promise<T>): Promise<T> {
  const server = await startServer(script, args);
  try {
    return await work(server);
  } finally {
    await stopServer(server.child);
  }
}

export function figureRow(figure: Figure, baseline: Figure): string {
  return `${figure.name.padEnd(38)} ${figure.callsPerSecond.toFixed(0).padStart(9)} ${figure.p50Ms.toFixed(2).padStart(8)} ${figure.p99Ms.toFixed(2).padStart(8)}   ${(figure.callsPerSecond / baseline.callsPerSecond).toFixed(2)}x of ${baseline.name.replace(/\s+/g, " ")}`;
}
