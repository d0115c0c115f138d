/**
 * A memory-hard, salted, one-way password hash (adapters/argon2). The encoded form carries the
 * algorithm, its parameters and the salt, so hashes made with older parameters still verify.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant-time comparison; false (never a throw) for a wrong password or a hash it cannot read. */
  verify(encoded: string, password: string): Promise<boolean>;
  /** True when `encoded` was made with other parameters than the hasher's current ones. */
  needsRehash(encoded: string): boolean;
}

const dummies = new WeakMap<PasswordHasher, Promise<string>>();

/**
 * A hash of no one's password, made once per hasher with its current parameters. Login verifies
 * the password against it when the email is unknown, so that an unknown email costs the same
 * time as a wrong password.
 */
export function dummyHash(hasher: PasswordHasher): Promise<string> {
  let dummy = dummies.get(hasher);
  if (!dummy) {
    dummy = hasher.hash("no-such-user: this hash only spends time");
    dummy.catch(() => dummies.delete(hasher));
    dummies.set(hasher, dummy);
  }
  return dummy;
}
