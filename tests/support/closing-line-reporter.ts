import type { Reporter, TestModule } from "vitest/node";

/** Ends a run with one plain line, `tests: N passed, N failed, N skipped`, that any CI can read, after the flaky ones. */
export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const flaky: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        if (test.diagnostic()?.flaky) flaky.push(`${module.moduleId.replace(process.cwd(), ".")} > ${test.fullName}`);
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
