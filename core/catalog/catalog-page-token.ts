import { invalidField } from "../kit/domain-error.ts";
import { decodePageToken, encodePageToken } from "../kit/page-token.ts";
import type { ListCursor } from "./product-query.ts";

/** FNV-1a of the query and tenant: a token only works for the query that made it. */
export function queryFingerprint(value: unknown): string {
  let hash = 0x811c9dc5;
  for (const char of JSON.stringify(value)) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

export function encodeListToken(cursor: ListCursor, fingerprint: string): string {
  return encodePageToken(JSON.stringify({ v: cursor.value, i: cursor.id, f: fingerprint }));
}

export function decodeListToken(token: string | undefined, fingerprint: string): ListCursor | undefined {
  const key = decodePageToken(token);
  if (key === undefined) return undefined;
  const parsed = JSON.parse(key) as { v?: unknown; i?: unknown; f?: unknown };
  if (parsed.f !== fingerprint || typeof parsed.v !== "number" || typeof parsed.i !== "string")
    throw invalidField("page.page_token", "belongs to another query");
  return { value: parsed.v, id: parsed.i };
}

export function encodeOffsetToken(offset: number, fingerprint: string): string {
  return encodePageToken(JSON.stringify({ o: offset, f: fingerprint }));
}

export function decodeOffsetToken(token: string | undefined, fingerprint: string): number {
  const key = decodePageToken(token);
  if (key === undefined) return 0;
  const parsed = JSON.parse(key) as { o?: unknown; f?: unknown };
  if (parsed.f !== fingerprint || !Number.isSafeInteger(parsed.o) || (parsed.o as number) < 0)
    throw invalidField("page.page_token", "belongs to another query");
  return parsed.o as number;
}
