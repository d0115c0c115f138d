import { invalidField } from "../kit/domain-error.ts";

/**
 * The first answer to a mutating cart call, stored under (tenant, scope, SHA-256 of the key)
 * in the same write as the cart change. `scope` names the command and the cart
 * (`add_item:u-<user id>`), so one cart cannot replay another's key; `fingerprint` hashes the
 * request, so the same key with another request is refused.
 */
export interface CartAnswerRecord {
  readonly scope: string;
  readonly keyHash: string;
  readonly fingerprint: string;
  /** The answer (a serialized cart view). */
  readonly response: string;
  readonly createdAt: Date;
}

export interface CartCommandIdentity {
  readonly scope: string;
  readonly keyHash: string;
  readonly fingerprint: string;
}

export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Checks the key (8..128 chars, as the contract says) and fingerprints the request's facts. */
export async function cartCommand(scope: string, key: string, facts: readonly unknown[]): Promise<CartCommandIdentity> {
  if (key.length < 8 || key.length > 128) throw invalidField("idempotency_key", "8 to 128 characters");
  return { scope, keyHash: await sha256(key), fingerprint: await sha256(JSON.stringify([scope, ...facts])) };
}
