import { invalidField } from "../kit/domain-error.ts";

export const TITLE_MAX = 150;
export const BODY_MAX = 5_000;
export const ID_MAX = 64;

/** Stars, 1..5. */
export type Stars = 1 | 2 | 3 | 4 | 5;

export function parseStars(value: number, field = "rating"): Stars {
  if (!Number.isInteger(value) || value < 1 || value > 5) throw invalidField(field, "must be 1 to 5");
  return value as Stars;
}

// Control characters other than tab, line feed and carriage return have no place in a review.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is what it looks for
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function parseTitle(value: string, field = "title"): string {
  const title = value.trim();
  if (title.length === 0) throw invalidField(field, "required");
  if ([...title].length > TITLE_MAX) throw invalidField(field, `at most ${TITLE_MAX} characters`);
  if (CONTROL.test(title) || title.includes("\n")) throw invalidField(field, "must be one line of text");
  return title;
}

export function parseBody(value: string, field = "body"): string {
  const body = value.trim();
  if ([...body].length > BODY_MAX) throw invalidField(field, `at most ${BODY_MAX} characters`);
  if (CONTROL.test(body)) throw invalidField(field, "must not contain control characters");
  return body;
}

/**
 * Ids (products, reviews) are opaque strings the services make: letters, digits and `._:-`, at
 * most 64. Anything else (`{"$where": ...}`, `$gt`, regex syntax) is refused before any store
 * sees it.
 */
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export function parseId(value: string, field: string): string {
  if (value.length === 0) throw invalidField(field, "required");
  if (!ID_PATTERN.test(value)) throw invalidField(field, "must be 1-64 letters, digits or . _ : -");
  return value;
}

/** A short, stable fingerprint of a request's facts (FNV-1a, 64 bits, hex): not a secret, only a comparison. */
export function fingerprint(facts: readonly unknown[]): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(JSON.stringify(facts))) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}
