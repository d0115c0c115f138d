import { decodePageToken, encodePageToken } from "../../core/kit/page-token.ts";

/**
 * Keyset paging, newest first, on a table's `sequence` column: the filter for the rows after a
 * page token (spread it into the query), then `sequencePage` cuts the page from the `pageSize + 1`
 * rows read (`orderBy: { sequence: "desc" }, limit: pageSize + 1`).
 */
export function afterSequence(pageToken: string | undefined): { sequence?: { $lt: number } } {
  const after = decodePageToken(pageToken);
  return after ? { sequence: { $lt: Number(after) } } : {};
}

/** The first `pageSize` rows as items, and a token for the next page when there is a further row. */
export function sequencePage<R extends { readonly sequence: number }, T>(
  rows: readonly R[],
  pageSize: number,
  toItems: (page: readonly R[]) => readonly T[],
): { items: readonly T[]; nextPageToken: string | undefined } {
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  return {
    items: toItems(page),
    nextPageToken: rows.length > pageSize && last ? encodePageToken(String(last.sequence)) : undefined,
  };
}
