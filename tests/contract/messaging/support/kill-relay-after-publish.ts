import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("./relay-that-dies-after-publish.ts", import.meta.url));

/** Runs a relay process against `database`, and SIGKILLs it once the broker acknowledged its batch. */
export async function killRelayAfterPublish(database: string, timeoutMs = 20_000): Promise<string[]> {
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", script], {
    env: { ...process.env, OUTBOX_TEST_DATABASE: database },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on("exit", (code, signal) => resolve(signal ?? code)),
  );
  try {
    const published = await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`relay process did not publish within ${timeoutMs} ms: ${stderr}`)),
        timeoutMs,
      );
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = /^published (.*)$/m.exec(stdout);
        if (line) {
          clearTimeout(timer);
          resolve((line[1] ?? "").split(","));
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`relay process exited (${code}) before publishing: ${stderr}`));
      });
    });
    child.kill("SIGKILL");
    if ((await exited) !== "SIGKILL") throw new Error("relay process ended on its own instead of being killed");
    return published;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}
