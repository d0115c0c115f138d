import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { aesGcmKeyEncryption, parseKeyEncryptionKey } from "../../../adapters/node-crypto/aes-gcm-key-encryption.ts";

const secret = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI...\n-----END PRIVATE KEY-----\n";

describe("AES-256-GCM key encryption", () => {
  it("when a secret is sealed, then it opens with the same KEK and owner, and two seals differ", () => {
    const kek = aesGcmKeyEncryption(randomBytes(32));
    const a = kek.seal(secret, "kid-1");
    const b = kek.seal(secret, "kid-1");

    expect(a).not.toBe(b);
    expect(a).not.toContain("PRIVATE");
    expect(kek.open(a, "kid-1")).toBe(secret);
  });

  it("when a sealed value is opened for another owner, tampered with or under another KEK, then it does not open", () => {
    const key = randomBytes(32);
    const kek = aesGcmKeyEncryption(key);
    const sealed = kek.seal(secret, "kid-1");
    const parts = sealed.split(".");
    const flipped = Buffer.from(parts[3]!, "base64url");
    flipped[0] = (flipped[0] ?? 0) ^ 1;

    expect(() => kek.open(sealed, "kid-2")).toThrow(/does not open/);
    expect(() => kek.open([...parts.slice(0, 3), flipped.toString("base64url"), parts[4]].join("."), "kid-1")).toThrow(
      /does not open/,
    );
    expect(() => kek.open(parts.slice(0, 4).join("."), "kid-1")).toThrow(/malformed/);
    expect(() => aesGcmKeyEncryption(randomBytes(32)).open(sealed, "kid-1")).toThrow(/another key-encryption key/);
  });

  it("when a KEK is not 32 bytes, then it is refused", () => {
    expect(() => aesGcmKeyEncryption(randomBytes(16))).toThrow(RangeError);
    expect(() => parseKeyEncryptionKey(randomBytes(31).toString("base64"))).toThrow(RangeError);
    expect(parseKeyEncryptionKey(randomBytes(32).toString("base64url"))).toHaveLength(32);
  });
});
