/**
 * Ports for single-use tokens (core has no node:crypto). The generator makes a value with 256
 * random bits, URL-safe; the hasher is SHA-256 (hex). Only hashes are stored: a database dump
 * does not hand out working links.
 */
export interface SecretTokens {
  generate(): string;
  hash(value: string): string;
}
