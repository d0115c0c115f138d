import { invalidField } from "./domain-error.ts";

/** Keyset pagination: the token carries the last key of the previous page, opaque to callers. */
export function encodePageToken(lastKey: string): string {
  return btoa(JSON.stringify({ k: lastKey })).replaceAll("=", "");
}

export function decodePageToken(token: string | undefined, field = "page.page_token"): string | undefined {
  if (!token) return undefined;
  try {
    const parsed = JSON.parse(atob(token)) as { k?: unknown };
    if (typeof parsed.k === "string") return parsed.k;
  } catch {
    // fall through: any malformed token is the caller's error
  }
  throw invalidField(field, "is not a token this service issued");
}
