import { invalidField } from "../kit/domain-error.ts";

/** An email as entered (trimmed) and its normalized form, which is what (tenant, email) uniqueness compares. */
export interface EmailAddress {
  readonly value: string;
  readonly normalized: string;
}

export const MAX_EMAIL_LENGTH = 254;

// The HTML5 "valid email address" rule, the same one the contract's protovalidate `email` applies.
const EMAIL_PATTERN =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export function parseEmail(input: string, field = "email"): EmailAddress {
  const value = input.trim();
  if (value.length === 0) throw invalidField(field, "required");
  if (value.length > MAX_EMAIL_LENGTH) throw invalidField(field, `at most ${MAX_EMAIL_LENGTH} characters`);
  if (!EMAIL_PATTERN.test(value)) throw invalidField(field, "is not an email address");
  return { value, normalized: normalizeEmail(value) };
}

/** Emails compare case-insensitively: the whole address is lower-cased (ASCII only, by the pattern). */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}
