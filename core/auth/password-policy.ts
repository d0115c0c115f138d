import { invalidField } from "../kit/domain-error.ts";

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

/** Characters as a person counts them (code points), as protovalidate's min_len/max_len do. */
const lengthOf = (value: string) => [...value].length;

/** A password presented at login: present and not longer than anything we would have stored. */
export function checkPresentedPassword(password: string, field = "password"): void {
  if (password.length === 0) throw invalidField(field, "required");
  if (lengthOf(password) > MAX_PASSWORD_LENGTH) throw invalidField(field, `at most ${MAX_PASSWORD_LENGTH} characters`);
}

/** A new password: 10..256 characters, not only spaces, not the login email itself. */
export function checkNewPassword(password: string, email: string, field = "password"): void {
  const length = lengthOf(password);
  if (length < MIN_PASSWORD_LENGTH)
    throw invalidField(field, `at least ${MIN_PASSWORD_LENGTH} characters`, "AUTH.PASSWORD_TOO_SHORT");
  if (length > MAX_PASSWORD_LENGTH) throw invalidField(field, `at most ${MAX_PASSWORD_LENGTH} characters`);
  if (password.trim().length === 0) throw invalidField(field, "must not be only spaces", "AUTH.PASSWORD_TOO_WEAK");
  if (password.trim().toLowerCase() === email.toLowerCase()) {
    throw invalidField(field, "must not be the email address", "AUTH.PASSWORD_TOO_WEAK");
  }
}
