import { invalidField } from "../kit/domain-error.ts";
import { decodePageToken, encodePageToken } from "../kit/page-token.ts";
import type { TenantId } from "../kit/request-context.ts";

/**
 * Keyset cursors of ListUsers (newest first: creation time, then id) and SearchUsers (by
 * normalized email). A cursor is bound to its tenant and query: replaying it with another
 * filter, another prefix or under another tenant is INVALID_ARGUMENT, never someone else's page.
 */
export interface ListCursor {
  readonly createdAtMs: number;
  readonly id: string;
}

export function encodeListCursor(binding: readonly unknown[], cursor: ListCursor): string {
  return encodePageToken(JSON.stringify({ b: JSON.stringify(binding), c: cursor.createdAtMs, i: cursor.id }));
}

export function decodeListCursor(binding: readonly unknown[], token: string | undefined): ListCursor | undefined {
  const raw = decodeBound(binding, token);
  if (!raw) return undefined;
  if (typeof raw.c !== "number" || typeof raw.i !== "string") throw notIssued();
  return { createdAtMs: raw.c, id: raw.i };
}

export function encodeSearchCursor(binding: readonly unknown[], lastEmail: string): string {
  return encodePageToken(JSON.stringify({ b: JSON.stringify(binding), e: lastEmail }));
}

export function decodeSearchCursor(binding: readonly unknown[], token: string | undefined): string | undefined {
  const raw = decodeBound(binding, token);
  if (!raw) return undefined;
  if (typeof raw.e !== "string") throw notIssued();
  return raw.e;
}

export function listBinding(tenantId: TenantId, status: string | undefined, role: string | undefined): unknown[] {
  return ["list", tenantId, status ?? "", role ?? ""];
}

export function searchBinding(tenantId: TenantId, prefix: string): unknown[] {
  return ["search", tenantId, prefix];
}

function decodeBound(binding: readonly unknown[], token: string | undefined): Record<string, unknown> | undefined {
  const key = decodePageToken(token);
  if (key === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(key);
  } catch {
    throw notIssued();
  }
  if (typeof raw !== "object" || raw === null || (raw as { b?: unknown }).b !== JSON.stringify(binding)) throw notIssued();
  return raw as Record<string, unknown>;
}

function notIssued() {
  return invalidField("page.page_token", "is not a token this service issued for this query");
}
