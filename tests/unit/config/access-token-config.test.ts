import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { accessTokenIssuingConfig, remoteJwksConfig } from "../../../adapters/config/access-token-config.ts";
import { ConfigError, readConfig } from "../../../adapters/config/env-config.ts";

const authSchema = z.object(accessTokenIssuingConfig);

describe("access token configuration", () => {
  it("when the key-encryption key is missing, then start-up fails naming it (no default secret)", () => {
    expect(() => readConfig(authSchema, {})).toThrow(ConfigError);
    expect(() => readConfig(authSchema, {})).toThrow(/SHOPMESH_AUTH_KEY_ENCRYPTION_KEY/);
  });

  it("when the key-encryption key is not 32 bytes of base64, then start-up fails without echoing it", () => {
    for (const value of [
      "short",
      "k".repeat(32),
      randomBytes(16).toString("base64"),
      "not base64 at all!!!!!!!!!!!!!!!!!!!!!!",
    ]) {
      let message = "";
      try {
        readConfig(authSchema, { SHOPMESH_AUTH_KEY_ENCRYPTION_KEY: value });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain("SHOPMESH_AUTH_KEY_ENCRYPTION_KEY");
      expect(message).not.toContain(value);
    }
  });

  it("when the key-encryption key is valid, then it becomes 32 bytes and the token settings take their defaults", () => {
    const config = readConfig(authSchema, { SHOPMESH_AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString("base64") });
    expect(config.SHOPMESH_AUTH_KEY_ENCRYPTION_KEY).toHaveLength(32);
    expect(config).toMatchObject({
      SHOPMESH_ACCESS_TOKEN_TTL_SECONDS: 600,
      SHOPMESH_SIGNING_KEY_ROTATE_DAYS: 30,
      SHOPMESH_TOKEN_ISSUER: "shopmesh-auth",
      SHOPMESH_TOKEN_AUDIENCE: "shopmesh",
      SHOPMESH_TOKEN_CLOCK_TOLERANCE_SECONDS: 10,
    });
  });

  it("when a service of its own has no JWKS URL, then start-up fails naming it", () => {
    expect(() => readConfig(z.object(remoteJwksConfig), {})).toThrow(/SHOPMESH_AUTH_JWKS_URL/);
  });
});
