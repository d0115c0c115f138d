import { execFile } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = new URL("../../../", import.meta.url).pathname;
const scratch = `core/kit/boundary-scratch-${process.pid}.ts`;

async function cruise(source: string): Promise<{ ok: boolean; output: string }> {
  await writeFile(root + scratch, source);
  try {
    const { stdout } = await run("npx", ["depcruise", "--config", ".dependency-cruiser.cjs", scratch], { cwd: root });
    return { ok: true, output: stdout };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string };
    return { ok: false, output: failed.stdout + failed.stderr };
  }
}

afterEach(async () => {
  await rm(root + scratch, { force: true });
});

describe("the layer boundary check (make lint)", () => {
  it("when a core file imports a database driver, then the check fails naming the rule", async () => {
    const result = await cruise('import mysql from "mysql2/promise";\nexport const pool = mysql;\n');
    expect(result.ok).toBe(false);
    expect(result.output).toContain("core-imports-driver-or-rpc");
  }, 30_000);

  it("when a core file imports an adapter, an RPC library or node:net, then each is a violation", async () => {
    const result = await cruise(
      [
        'import { toConnectError } from "../../adapters/rpc/error-mapping.ts";',
        'import { Code } from "@connectrpc/connect";',
        'import net from "node:net";',
        "export const all = [toConnectError, Code, net];",
      ].join("\n"),
    );
    expect(result.ok).toBe(false);
    expect(result.output).toContain("core-imports-outer-layer");
    expect(result.output).toContain("core-imports-driver-or-rpc");
    expect(result.output).toContain("core-imports-io");
  }, 30_000);

  it("when a core file imports only the core, then the check passes", async () => {
    const result = await cruise('import { money } from "./money.ts";\nexport const price = money(100, "EUR");\n');
    expect(result.output).not.toContain("error");
    expect(result.ok).toBe(true);
  }, 30_000);
});
