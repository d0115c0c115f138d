/**
 * A key pair that signs access tokens. Its life: `next` (published in the JWKS so that every
 * verifier has it, not signing yet) -> `current` (signs every new token; one at a time) ->
 * `previous` (signs nothing, still verifies the tokens it signed until `verifyUntil`) ->
 * `retired` (gone from the JWKS; the private key is erased).
 */
export type SigningKeyStatus = "next" | "current" | "previous" | "retired";

/** JWS algorithms we sign with: Ed25519 (preferred) or P-256 ECDSA. */
export type SigningAlgorithm = "EdDSA" | "ES256";

export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ["EdDSA", "ES256"];

/** The public half of a key as JWK members (RFC 7517/8037); no private member ever. */
export interface PublicJwk {
  readonly kty: "OKP" | "EC";
  readonly crv: "Ed25519" | "P-256";
  readonly x: string;
  /** EC keys only. */
  readonly y?: string;
}

/** A freshly generated key pair, before the store has given it a place in the ring. */
export interface NewSigningKey {
  /** Key id, sent in each token's header (`kid`); the RFC 7638 thumbprint of the public key. */
  readonly kid: string;
  readonly algorithm: SigningAlgorithm;
  readonly publicJwk: PublicJwk;
  /** PKCS#8 PEM. Secret: stored encrypted, never logged, never leaves the auth context. */
  readonly privateKeyPkcs8: string;
}

export interface SigningKey extends NewSigningKey {
  readonly status: SigningKeyStatus;
  readonly createdAt: Date;
  /** When it became current (undefined while `next`). */
  readonly activatedAt: Date | undefined;
  /** When a newer key replaced it as current. */
  readonly deactivatedAt: Date | undefined;
  /** A `previous` key verifies until then: its rotation time + the longest token TTL + leeway. */
  readonly verifyUntil: Date | undefined;
  readonly retiredAt: Date | undefined;
}
