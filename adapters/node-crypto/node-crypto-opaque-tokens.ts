import { createHash, randomBytes } from "node:crypto";
import type { OpaqueTokens } from "../../core/auth/opaque-tokens.ts";

/**
 * 256-bit tokens from the OS CSPRNG, base64url; stored as their SHA-256 (a token has 256 bits
 * of entropy, so a fast hash is enough: there is nothing to guess, unlike a password).
 */
export const nodeCryptoOpaqueTokens: OpaqueTokens = {
  generate: () => randomBytes(32).toString("base64url"),
  digest: (token) => createHash("sha256").update(token, "utf8").digest("hex"),
};
