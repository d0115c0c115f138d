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
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `node <script>` with `env` on top of this process's, and waits until /readyz answers 200. */
export async function startServiceProcess(
  name: string,
  script: string,
  port: number,
  env: Record<string, string>,
  readyWithinMs = 60_000,
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
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
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
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
