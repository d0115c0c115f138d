import { defineConfig } from "vitest/config";

// Four tiers (docs/testing.md): unit = pure core; contract = one suite per port, every adapter;
// component = a service on port 0 over gRPC and Connect; e2e = journeys across services.
// Tiers on real servers get one retry: a broker hiccup on a loaded 2-core machine should not
// fail CI, and the closing line names every test that needed it, so flakiness stays visible.
// e2e journeys start whole processes whose Kafka consumer groups and topics are the mesh's fixed
// ones, so two journeys (or a journey and a component suite) at once would take each other's
// events: the e2e tier runs last, one file at a time.
const tier = (name: string, timeoutMs: number, retry = 1, alone = false) => ({
  extends: true as const,
  test: {
    name,
    include: [`tests/${name}/**/*.test.ts`],
    testTimeout: timeoutMs,
    hookTimeout: timeoutMs,
    retry,
    ...(alone ? { fileParallelism: false, sequence: { groupOrder: 1 } } : { sequence: { groupOrder: 0 } }),
  },
});

export default defineConfig({
  test: {
    reporters: ["default", "./tests/support/closing-line-reporter.ts"],
    projects: [tier("unit", 5_000, 0), tier("contract", 60_000), tier("component", 60_000), tier("e2e", 120_000, 1, true)],
    // Suites that share one Kafka broker or database stay off each other's toes.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
