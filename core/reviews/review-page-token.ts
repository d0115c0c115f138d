import { invalidField } from "../kit/domain-error.ts";
import { decodePageToken, encodePageToken } from "../kit/page-token.ts";

/**
 * Page tokens bound to their query (tenant, product, sort, filter, viewer): replaying one with
 * another query or tenant is INVALID_ARGUMENT, never someone else's page.
 */
export function encodeBoundToken(binding: readonly unknown[], key: readonly (string | number)[]): string {
  return encodePageToken(JSON.stringify({ b: JSON.stringify(binding), k: key }));
}

export function decodeBoundToken(binding: readonly unknown[], token: string | undefined): (string | number)[] | undefined {
  const raw = decodePageToken(token);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw notIssued();
  }
  const { b, k } = (parsed ?? {}) as { b?: unknown; k?: unknown };
  if (b !== JSON.stringify(binding) || !Array.isArray(k) || k.length !== 3) throw notIssued();
  if (typeof k[0] !== "number" || typeof k[1] !== "number" || typeof k[2] !== "string") throw notIssued();
  return k as (string | number)[];
}

function notIssued() {
  return invalidField("page.page_token", "is not a token this service issued for this query");
}
