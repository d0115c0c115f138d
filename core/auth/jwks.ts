import type { SigningAlgorithm, SigningKey } from "./signing-key.ts";

/** One public key as published (RFC 7517): the JWK members plus `kid`, `alg` and `use`. */
export interface PublishedJwk {
  readonly kty: "OKP" | "EC";
  readonly crv: "Ed25519" | "P-256";
  readonly x: string;
  readonly y?: string;
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly use: "sig";
}

/** A JWK Set document: `{"keys": [...]}`. */
export interface JsonWebKeySet {
  readonly keys: readonly PublishedJwk[];
}

const ORDER = { current: 0, next: 1, previous: 2, retired: 3 } as const;

/** The public parts of the keys that verify tokens, current first; retired keys are left out. */
export function jwksOf(keys: readonly SigningKey[]): JsonWebKeySet {
  const published = keys
    .filter((key) => key.status !== "retired")
    .sort((a, b) => ORDER[a.status] - ORDER[b.status] || b.createdAt.getTime() - a.createdAt.getTime());
  return {
    keys: published.map((key) => {
      const { kty, crv, x, y } = key.publicJwk;
      return { kty, crv, x, ...(y === undefined ? {} : { y }), kid: key.kid, alg: key.algorithm, use: "sig" as const };
    }),
  };
}
