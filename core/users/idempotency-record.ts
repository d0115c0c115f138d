/**
 * The first answer to a retryable command, stored under (tenant, scope, key hash) in the same
 * transaction as the command's writes, so a replay returns it and changes nothing. `scope` names
 * the command and, for authenticated ones, the caller (`add_address:<user id>`): one caller
 * cannot replay another's key. The key is stored hashed (fixed length, no collation surprises);
 * `fingerprint` is a hash of the request (never of a password), so the same key with another
 * request is refused.
 */
export interface IdempotencyRecord {
  readonly scope: string;
  readonly keyHash: string;
  readonly fingerprint: string;
  /** The answer, serialized by the use case that wrote it. */
  readonly response: string;
  readonly createdAt: Date;
}
