import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

export interface SandboxProcess {
  readonly url: string;
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** Every line the process wrote to stdout and stderr so far. */
  readonly output: string[];
  /** How many times the sandbox charged this order (its admin route). */
  chargesFor(tenantId: string, orderId: string): Promise<number>;
  stop(): Promise<void>;
}

export const randomWebhookSecret = () => `whsec_${randomBytes(16).toString("hex")}`;

const MAIN = fileURLToPath(new URL("../../../../services/payment-sandbox/main.ts", import.meta.url));

/**
 * services/payment-sandbox/main.ts as a child process on a free port, with fresh random
 * secrets (none in the repo), resolved once it says it is serving.
 */
export async function startSandboxProcess(options: {
  lateMs: number;
  hangMs: number;
  webhookUrl?: string;
  webhookSecret?: string;
}): Promise<SandboxProcess> {
  const secretKey = `sk_test_${randomBytes(16).toString("hex")}`;
  const webhookSecret = options.webhookSecret ?? randomWebhookSecret();
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      SHOPMESH_PORT: "0",
      SHOPMESH_LOG_LEVEL: "info",
      SHOPMESH_PAYMENT_SANDBOX_SECRET_KEY: secretKey,
      SHOPMESH_PAYMENT_SANDBOX_WEBHOOK_SECRET: webhookSecret,
      SHOPMESH_PAYMENT_SANDBOX_LATE_MS: String(options.lateMs),
      SHOPMESH_PAYMENT_SANDBOX_HANG_MS: String(options.hangMs),
      ...(options.webhookUrl ? { SHOPMESH_PAYMENT_SANDBOX_WEBHOOK_URL: options.webhookUrl } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start:\n${output.join("\n")}`)), 15_000);
    const onLine = (line: string) => {
      output.push(line);
      const match = /"url":"(http:\/\/[^"]+)".*payment sandbox is serving/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let pending = "";
      stream?.on("data", (chunk: Buffer) => {
        pending += chunk.toString("utf8");
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) onLine(line);
      });
    }
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited with ${code}:\n${output.join("\n")}`));
    });
  });
  return {
    url,
    secretKey,
    webhookSecret,
    output,
    async chargesFor(tenantId, orderId) {
      const query = new URLSearchParams({ tenant_id: tenantId, order_id: orderId });
      const response = await fetch(`${url}/v1/test/charges?${query}`, { headers: { authorization: `Bearer ${secretKey}` } });
      return ((await response.json()) as { charges: number }).charges;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
