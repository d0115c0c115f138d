import type { NewSigningKey } from "./signing-key.ts";

/** Makes new key pairs (adapters/jose): crypto stays outside the core. */
export interface SigningKeyGenerator {
  generate(): Promise<NewSigningKey>;
}
