/**
 * The catalog's own term index (no $text on FerretDB): text folded to lower-case ASCII-ish
 * tokens (NFD, combining marks removed), split on anything that is not a letter or digit.
 * The same folding serves the stored terms and the query, so "Crème" finds "creme".
 */
const MAX_TERM_LENGTH = 40;
const MAX_TERMS = 500;
export const MAX_QUERY_TERMS = 10;

export function foldText(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/** Distinct tokens of `texts`, in first-seen order, at most MAX_TERMS. */
export function searchTerms(texts: readonly string[]): string[] {
  const terms = new Set<string>();
  for (const text of texts) {
    for (const token of foldText(text).split(/[^\p{L}\p{N}]+/u)) {
      if (token.length === 0 || token.length > MAX_TERM_LENGTH) continue;
      terms.add(token);
      if (terms.size >= MAX_TERMS) return [...terms];
    }
  }
  return [...terms];
}

/** A query's terms: plain words only (operators and patterns are just characters). */
export function queryTerms(query: string): string[] {
  return searchTerms([query]).slice(0, MAX_QUERY_TERMS);
}
