import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Encrypts secrets at rest (private signing keys) with a key-encryption key (KEK) from
 * config. AES-256-GCM, a random 96-bit IV per value, and the owner's id (the kid) as
 * additional authenticated data, so a sealed value moved to another row does not open.
 * Sealed form: `v1.<kek id>.<iv>.<ciphertext>.<tag>` (base64url), where the KEK id is the
 * start of the KEK's SHA-256: a value sealed under another KEK says so instead of failing blindly.
 */
export interface KeyEncryption {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

const VERSION = "v1";

export function aesGcmKeyEncryption(kek: Uint8Array): KeyEncryption {
  if (kek.length !== 32) throw new RangeError(`the key-encryption key must be 32 bytes, got ${kek.length}`);
  const key = Buffer.from(kek);
  const kekId = createHash("sha256").update(key).digest("base64url").slice(0, 8);
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: 16 }).setAAD(Buffer.from(context, "utf8"));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [VERSION, kekId, iv, ciphertext, cipher.getAuthTag()]
        .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
        .join(".");
    },
    open(sealed, context) {
      const [version, sealedKekId, iv, ciphertext, tag, ...rest] = sealed.split(".");
      if (version !== VERSION || !sealedKekId || !iv || ciphertext === undefined || !tag || rest.length > 0) {
        throw new Error("sealed value is malformed");
      }
      if (sealedKekId !== kekId) throw new Error(`sealed with another key-encryption key (${sealedKekId}, configured ${kekId})`);
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), { authTagLength: 16 })
        .setAAD(Buffer.from(context, "utf8"))
        .setAuthTag(Buffer.from(tag, "base64url"));
      try {
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
      } catch (cause) {
        throw new Error("sealed value does not open: tampered, or sealed for another owner", { cause });
      }
    },
  };
}

/** Reads a KEK from config: base64 (or base64url) of exactly 32 random bytes. */
export function parseKeyEncryptionKey(value: string): Uint8Array {
  const normalized = value.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(normalized)) throw new RangeError("the key-encryption key must be base64");
  const bytes = Buffer.from(normalized, "base64");
  if (bytes.length !== 32) throw new RangeError(`the key-encryption key must decode to 32 bytes, got ${bytes.length}`);
  return new Uint8Array(bytes);
}
