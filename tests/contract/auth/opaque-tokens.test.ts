import { describe, expect, it } from "vitest";
import { nodeCryptoOpaqueTokens as tokens } from "../../../adapters/node-crypto/node-crypto-opaque-tokens.ts";

describe("OpaqueTokens: node:crypto", () => {
  it("when tokens are made, then each is 256 bits of base64url and none repeats", () => {
    const made = Array.from({ length: 1_000 }, () => tokens.generate());
    for (const token of made) expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(new Set(made).size).toBe(made.length);
  });

  it("when a token is digested, then the digest is stable SHA-256 hex that does not contain the token", () => {
    const token = tokens.generate();
    expect(tokens.digest(token)).toBe(tokens.digest(token));
    expect(tokens.digest(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens.digest("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(tokens.digest(`${token}x`)).not.toBe(tokens.digest(token));
  });
});
