import { invalidField } from "../kit/domain-error.ts";
import { decodePageToken, encodePageToken } from "../kit/page-token.ts";

/** Where a page of sessions (newest first) stopped: the last session's creation time and id. */
export interface SessionPagePosition {
  readonly createdAt: Date;
  readonly id: string;
}

export function encodeSessionPageToken(last: SessionPagePosition): string {
  return encodePageToken(`${last.createdAt.getTime()}/${last.id}`);
}

export function decodeSessionPageToken(token: string | undefined, field = "page.page_token"): SessionPagePosition | undefined {
  const key = decodePageToken(token, field);
  if (key === undefined) return undefined;
  const match = /^(\d{1,15})\/(.{1,64})$/s.exec(key);
  if (!match) throw invalidField(field, "is not a token this service issued");
  return { createdAt: new Date(Number(match[1])), id: match[2] as string };
}

/** Sort order of session lists: newest first, then by id descending (a stable keyset). */
export function newestFirst(a: SessionPagePosition, b: SessionPagePosition): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}
