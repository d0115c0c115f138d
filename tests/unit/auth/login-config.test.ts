import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, readConfig } from "../../../adapters/config/env-config.ts";
import { loginConfigFields, loginSettings } from "../../../services/auth/login-config.ts";

const schema = z.object(loginConfigFields);

describe("login configuration", () => {
  it("when nothing is set, then OWASP's argon2id floor, 14/30-day sessions and 10/100 failures per 15 minutes", () => {
    expect(loginSettings(readConfig(schema, {}))).toEqual({
      argon2: { memoryKib: 19_456, iterations: 2, parallelism: 1 },
      sessions: { idleTimeoutMs: 14 * 86_400_000, maxAgeMs: 30 * 86_400_000 },
      limits: { account: { maxAttempts: 10, windowMs: 900_000 }, source: { maxAttempts: 100, windowMs: 900_000 } },
      trustedProxyHops: 1,
    });
  });

  it("when a value is out of bounds, then start-up fails naming it", () => {
    expect(() => readConfig(schema, { SHOPMESH_ARGON2_MEMORY_KIB: "64" })).toThrow(/SHOPMESH_ARGON2_MEMORY_KIB/);
    expect(() => readConfig(schema, { SHOPMESH_LOGIN_ACCOUNT_MAX_FAILURES: "0" })).toThrow(ConfigError);
  });

  it("when the idle timeout is longer than the session's maximum age, then start-up fails", () => {
    const config = readConfig(schema, {
      SHOPMESH_SESSION_IDLE_TIMEOUT_SECONDS: "7200",
      SHOPMESH_SESSION_MAX_AGE_SECONDS: "3600",
    });
    expect(() => loginSettings(config)).toThrow(/idleTimeoutMs/);
  });
});
