/**
 * Refresh tokens: random secrets handed to clients, of which auth stores only a digest
 * (adapters/node-crypto). Crypto stays out of the core.
 */
export interface OpaqueTokens {
  /** A new token: 256 random bits, base64url (43 characters). */
  generate(): string;
  /** The one-way digest that is stored and looked up (hex SHA-256: 64 characters). */
  digest(token: string): string;
}
