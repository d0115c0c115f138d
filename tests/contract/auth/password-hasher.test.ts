import { describe, expect, it } from "vitest";
import { createArgon2PasswordHasher } from "../../../adapters/argon2/argon2-password-hasher.ts";
import { dummyHash } from "../../../core/auth/password-hasher.ts";

// Cheap parameters keep the suite fast; the encoding records them, so the checks hold for any.
const cheap = { memoryKib: 1_024, iterations: 1, parallelism: 1 };

describe("PasswordHasher: argon2id", () => {
  const hasher = createArgon2PasswordHasher(cheap);

  it("when a password is hashed, then the PHC string names argon2id and its parameters, never the password", async () => {
    const encoded = await hasher.hash("correct horse battery");
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(encoded).not.toContain("correct");
  });

  it("when the same password is hashed twice, then the salts differ and both verify", async () => {
    const [a, b] = [await hasher.hash("same password"), await hasher.hash("same password")];
    expect(a).not.toBe(b);
    expect(await hasher.verify(a, "same password")).toBe(true);
    expect(await hasher.verify(b, "same password")).toBe(true);
  });

  it("when the password differs by one character, or the hash is not argon2, then verify is false", async () => {
    const encoded = await hasher.hash("correct horse battery");
    expect(await hasher.verify(encoded, "correct horse batterY")).toBe(false);
    expect(await hasher.verify(encoded, "")).toBe(false);
    expect(await hasher.verify("plain text", "plain text")).toBe(false);
  });

  it("when the parameters change, then older hashes need a rehash and still verify", async () => {
    const old = await hasher.hash("pw pw pw pw");
    const stronger = createArgon2PasswordHasher({ ...cheap, iterations: 2 });
    expect(hasher.needsRehash(old)).toBe(false);
    expect(stronger.needsRehash(old)).toBe(true);
    expect(await stronger.verify(old, "pw pw pw pw")).toBe(true);
  });

  it("when a password has non-ASCII characters, then it round-trips", async () => {
    expect(await hasher.verify(await hasher.hash("pässwörd 🔐 密码"), "pässwörd 🔐 密码")).toBe(true);
  });

  it("when the dummy hash is asked for twice, then it is made once with the current parameters", async () => {
    const first = await dummyHash(hasher);
    expect(await dummyHash(hasher)).toBe(first);
    expect(hasher.needsRehash(first)).toBe(false);
  });

  it("when the parameters are nonsense, then the hasher is not built", () => {
    expect(() => createArgon2PasswordHasher({ ...cheap, iterations: 0 })).toThrow(RangeError);
    expect(() => createArgon2PasswordHasher({ ...cheap, memoryKib: 4 })).toThrow(RangeError);
  });
});
