/** Identifier generation as a port; the default is a random UUID v4 (Web Crypto, no I/O). */
export type IdGenerator = () => string;

export const randomId: IdGenerator = () => crypto.randomUUID();

export function sequentialIds(prefix = "id"): IdGenerator {
  let next = 0;
  return () => `${prefix}-${++next}`;
}
