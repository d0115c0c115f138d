import { invalidField } from "../kit/domain-error.ts";

export const MAX_EMAIL_LENGTH = 254;

// The contract's `string.email` rule is the gate; this is the core's own, looser shape check
// for callers that skip the contract (tests, in-process calls).
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A login email as compared and stored: lower case (the contract says case-insensitive). */
export function normalizeEmail(value: string, field = "email"): string {
  if (value.length === 0) throw invalidField(field, "required");
  if (value.length > MAX_EMAIL_LENGTH) throw invalidField(field, `at most ${MAX_EMAIL_LENGTH} characters`);
  if (!EMAIL_SHAPE.test(value)) throw invalidField(field, "must be an email address");
  return value.toLowerCase();
}
