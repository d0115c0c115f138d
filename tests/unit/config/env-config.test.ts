import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, port, readConfig } from "../../../adapters/config/env-config.ts";

const schema = z.object({
  SHOPMESH_PORT: port(8080),
  SHOPMESH_MYSQL_URL: z.string().url(),
  SHOPMESH_KEY_ENCRYPTION_KEY: z.string().min(32),
});

describe("configuration from the environment", () => {
  it("when every variable is valid, then defaults fill the rest and numbers are numbers", () => {
    const config = readConfig(schema, {
      SHOPMESH_MYSQL_URL: "mysql://u:p@127.0.0.1:3306/db",
      SHOPMESH_KEY_ENCRYPTION_KEY: "k".repeat(32),
    });
    expect(config.SHOPMESH_PORT).toBe(8080);
  });

  it("when a secret is missing and a port is malformed, then start-up fails naming both", () => {
    let error: unknown;
    try {
      readConfig(schema, { SHOPMESH_PORT: "eighty", SHOPMESH_MYSQL_URL: "mysql://u:p@127.0.0.1:3306/db" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("SHOPMESH_PORT");
    expect((error as Error).message).toContain("SHOPMESH_KEY_ENCRYPTION_KEY");
  });
});
