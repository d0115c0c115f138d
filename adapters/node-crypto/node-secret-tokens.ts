import { createHash, randomBytes } from "node:crypto";
import type { SecretTokens } from "../../core/users/secret-tokens.ts";

/** 256 random bits from the OS CSPRNG, base64url (43 chars); SHA-256 hex for storage. */
export const nodeSecretTokens: SecretTokens = {
  generate: () => randomBytes(32).toString("base64url"),
  hash: (value) => createHash("sha256").update(value, "utf8").digest("hex"),
};
