import type { NewSigningKey, SigningKey } from "./signing-key.ts";

/**
 * Where the auth context keeps its signing keys. The store enforces the ring's invariants
 * under concurrency (several auth replicas run maintenance): at most one `current` and one
 * `next` key, and a rotation that happens only from the key the caller saw as current.
 * Private keys are encrypted at rest by the adapters that persist them.
 */
export interface SigningKeyStore {
  /** The key that signs new tokens, if any. */
  current(): Promise<SigningKey | undefined>;

  /** Every key still published for verification (`next`, `current`, `previous`), newest first. */
  published(): Promise<readonly SigningKey[]>;

  /**
   * Stores a new key as `next`, or as `current` when the ring has no current key yet.
   * ALREADY_EXISTS when the kid is known; CONFLICT when the slot is taken (another replica
   * added one first).
   */
  add(key: NewSigningKey, as: "next" | "current", at: Date): Promise<SigningKey>;

  /**
   * Makes `to` (a `next` key) current at `at`; the key `from` (the current one, undefined
   * when there is none) becomes `previous` and verifies until `previousVerifyUntil`. All or
   * nothing; CONFLICT when `to` is not `next` or `from` is no longer current.
   */
  rotate(change: {
    readonly to: string;
    readonly from: string | undefined;
    readonly at: Date;
    readonly previousVerifyUntil: Date;
  }): Promise<void>;

  /** Stops publishing the key and erases its private half. Idempotent; unknown kid is a no-op. */
  retire(kid: string, at: Date): Promise<void>;
}
