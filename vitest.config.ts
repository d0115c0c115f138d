import { defineConfig } from "vitest/config";

// Four tiers (docs/testing.md): unit = pure core; contract = one suite per port, every adapter;
// component = a service on port 0 over gRPC and Connect; e2e = journeys across services.
const tier = (name: string, timeoutMs: number) => ({
  extends: true as const,
  test: { name, include: [`tests/${name}/**/*.test.ts`], testTimeout: timeoutMs, hookTimeout: timeoutMs },
});

export default defineConfig({
  test: {
    reporters: ["default", "./tests/support/closing-line-reporter.ts"],
    projects: [tier("unit", 5_000), tier("contract", 60_000), tier("component", 60_000), tier("e2e", 120_000)],
    // Suites that share one Kafka broker or database stay off each other's toes.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
