/**
 * The form a name or email is searched by: accents removed, lower case. Stored next to the
 * original and applied to the query the same way, so "Zoë" is found by "zoe" and "ZO".
 */
export function searchText(value: string): string {
  return value.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}
