import type { Reporter, TestModule } from "vitest/node";

/** Ends a run with one plain line, `tests: N passed, N failed, N skipped`, that any CI can read, after the flaky ones. */
export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    // A file whose setup failed skips its tests: it counts as a failure, as do unhandled errors.
    const counts = { passed: 0, failed: unhandledErrors.length, skipped: 0 };
    const flaky: string[] = [];
    for (const module of testModules) {
      if (module.state() === "failed" && ![...module.children.allTests()].some((t) => t.result().state === "failed"))
        counts.failed++;
      for (const test of module.children.allTests()) {
        if (test.diagnostic()?.flaky) {
          const firstError = test.result().errors?.[0]?.message?.split("\n")[0] ?? "";
          flaky.push(`${module.moduleId.replace(process.cwd(), ".")} > ${test.fullName}: ${firstError}`);
        }
        const state = test.result().state;
        if (state === "passed") counts.passed++;
        else if (state === "failed") counts.failed++;
        else counts.skipped++;
      }
    }
    for (const name of flaky) process.stdout.write(`\nflaky (passed on retry): ${name}`);
    process.stdout.write(`\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
