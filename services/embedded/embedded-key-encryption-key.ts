import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseKeyEncryptionKey } from "../../adapters/node-crypto/aes-gcm-key-encryption.ts";

/**
 * The embedded process's key-encryption key for signing keys: the configured one, or one made
 * at first start and kept next to the data it protects (`<data dir>/auth-key-encryption-key`,
 * mode 0600). Not a default secret: each installation makes its own. A real deployment sets
 * SHOPMESH_AUTH_KEY_ENCRYPTION_KEY from its secret store.
 */
export function embeddedKeyEncryptionKey(configured: Uint8Array | undefined, dataDir: string): Uint8Array {
  if (configured) return configured;
  const file = join(dataDir, "auth-key-encryption-key");
  try {
    return parseKeyEncryptionKey(readFileSync(file, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  return parseKeyEncryptionKey(readFileSync(file, "utf8"));
}
