import { invalidField } from "../kit/domain-error.ts";

/** Field rules of the user that the contract states too; the core keeps them for any caller. */
export const MAX_DISPLAY_NAME_LENGTH = 100;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;
export const MAX_REASON_LENGTH = 500;

const PHONE_PATTERN = /^\+[1-9][0-9]{6,14}$/;
const LOCALE_PATTERN = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export function parseDisplayName(input: string, field = "display_name"): string {
  const value = input.trim();
  if (value.length === 0) throw invalidField(field, "required");
  if ([...value].length > MAX_DISPLAY_NAME_LENGTH) throw invalidField(field, `at most ${MAX_DISPLAY_NAME_LENGTH} characters`);
  return value;
}

/** E.164, or empty for "none" (undefined). */
export function parsePhoneNumber(input: string, field = "phone_number"): string | undefined {
  const value = input.trim();
  if (value.length === 0) return undefined;
  if (!PHONE_PATTERN.test(value)) throw invalidField(field, "must be an E.164 number such as +14155550100");
  return value;
}

/** A BCP 47 tag, or empty for the tenant default. */
export function parseLocale(input: string, field = "locale"): string {
  const value = input.trim();
  if (value.length > 35 || (value.length > 0 && !LOCALE_PATTERN.test(value))) throw invalidField(field, "is not a BCP 47 tag");
  return value;
}

/** Length only: strength beyond it is auth's policy, which SetCredential enforces. */
export function checkPassword(password: string, field = "password"): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) throw invalidField(field, `at least ${MIN_PASSWORD_LENGTH} characters`);
  if (length > MAX_PASSWORD_LENGTH) throw invalidField(field, `at most ${MAX_PASSWORD_LENGTH} characters`);
}

export function parseReason(input: string, field = "reason"): string {
  const value = input.trim();
  if (value.length === 0) throw invalidField(field, "required");
  if ([...value].length > MAX_REASON_LENGTH) throw invalidField(field, `at most ${MAX_REASON_LENGTH} characters`);
  return value;
}
