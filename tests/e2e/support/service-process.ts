import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import net from "node:net";

export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** Everything the process wrote, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL, no drain (a crash), and waits until the process is gone. */
  kill(): Promise<void>;
  /** The exit code once the process has ended (by itself or stopped), else null. */
  exitCode(): number | null;
  /** Resolves when the process has ended (at once if it already has). */
  exited(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `node <script>` with `env` on top of this process's, and waits until /readyz answers 200
 * (or, with `isReady`, until it says so: a process without /readyz, such as the payment sandbox).
 */
export async function startServiceProcess(
  name: string,
  script: string,
  port: number,
  env: Record<string, string>,
  readyWithinMs = 60_000,
  isReady: (url: string) => Promise<boolean> = readyz,
): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", script], {
    env: { ...process.env, ...env, SHOPMESH_PORT: String(port), SHOPMESH_HOST: "127.0.0.1", SHOPMESH_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyWithinMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    if (await isReady(url)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} not ready within ${readyWithinMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name,
    url,
    port,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await once(child, "exit");
    },
    exitCode: () => child.exitCode ?? (child.signalCode !== null ? -1 : null),
    async exited() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await once(child, "exit");
    },
  };
}

function readyz(url: string): Promise<boolean> {
  return fetch(`${url}/readyz`).then(
    (response) => response.status === 200,
    () => false,
  );
}

/** Ready as soon as anything answers HTTP on the port. */
export function answersHttp(url: string): Promise<boolean> {
  return fetch(url).then(
    () => true,
    () => false,
  );
}
