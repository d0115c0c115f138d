/** Real-adapter suites need the local servers; a missing variable fails the suite, never skips it. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: start the local servers (make infra-up) and load their addresses ` +
        "(set -a; source .infra/env; set +a) before running the contract tests",
    );
  }
  return value;
}
