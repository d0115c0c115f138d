import argon2 from "argon2";
import type { PasswordHasher } from "../../core/auth/password-hasher.ts";

/** argon2id cost parameters (RFC 9106). OWASP's floor: 19 MiB, 2 passes, 1 lane. */
export interface Argon2Parameters {
  /** Memory in KiB. */
  readonly memoryKib: number;
  /** Passes over the memory. */
  readonly iterations: number;
  /** Lanes (threads) per hash. */
  readonly parallelism: number;
}

export const owaspArgon2Parameters: Argon2Parameters = { memoryKib: 19_456, iterations: 2, parallelism: 1 };

/**
 * argon2id through the `argon2` package (its native binary ships inside the npm package; the
 * work runs on libuv's thread pool, off the event loop). Hashes are PHC strings
 * (`$argon2id$v=19$m=...,p=...,t=...$salt$hash`) with a 16-byte random salt; `verify` compares
 * in constant time (node:crypto timingSafeEqual).
 */
export function createArgon2PasswordHasher(parameters: Argon2Parameters): PasswordHasher {
  const { memoryKib, iterations, parallelism } = parameters;
  if (!Number.isInteger(memoryKib) || memoryKib < 8 * parallelism)
    throw new RangeError(`argon2 memoryKib too small: ${memoryKib}`);
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`argon2 iterations must be >= 1: ${iterations}`);
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new RangeError(`argon2 parallelism must be >= 1: ${parallelism}`);
  const options = { type: argon2.argon2id, memoryCost: memoryKib, timeCost: iterations, parallelism } as const;
  return {
    hash: (password) => argon2.hash(password, options),
    // Not an argon2 hash at all: no match. A malformed argon2 hash is a bug in stored data: it throws.
    verify: async (encoded, password) => encoded.startsWith("$argon2") && argon2.verify(encoded, password),
    needsRehash: (encoded) => !encoded.startsWith("$argon2id$") || argon2.needsRehash(encoded, options),
  };
}
