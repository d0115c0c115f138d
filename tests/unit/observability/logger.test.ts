import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { withLogFields } from "../../../adapters/observability/log-context.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger("orders", "info", stream) };
}

describe("structured logs", () => {
  it("when a line is written inside a call, then it carries service, tenant and correlation id", async () => {
    const { lines, logger } = capture();
    await withLogFields({ tenant: "acme", correlationId: "c-1" }, async () => {
      await Promise.resolve();
      logger.info({ orderId: "o-9" }, "order placed");
    });
    expect(lines[0]).toMatchObject({ level: "info", service: "orders", tenant: "acme", correlationId: "c-1", orderId: "o-9" });
  });

  it("when a line is written outside any call, then it has no tenant", () => {
    const { lines, logger } = capture();
    logger.warn("starting");
    expect(lines[0]).toMatchObject({ service: "orders", level: "warn" });
    expect(lines[0]).not.toHaveProperty("tenant");
  });

  it("when a secret is logged by mistake, then it is redacted", () => {
    const { lines, logger } = capture();
    logger.info({ password: "hunter2", request: { authorization: "Bearer abc" } }, "login");
    expect(JSON.stringify(lines[0])).not.toContain("hunter2");
    expect(JSON.stringify(lines[0])).not.toContain("Bearer abc");
  });
});
