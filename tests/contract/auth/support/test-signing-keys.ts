import type { NewSigningKey } from "../../../../core/auth/signing-key.ts";

let counter = 0;

/** A key as a generator would make it; the "private key" is a PEM-looking text that names the kid. */
export function testSigningKey(kid = `kid-${process.pid}-${++counter}`): NewSigningKey {
  return {
    kid,
    algorithm: "EdDSA",
    publicJwk: { kty: "OKP", crv: "Ed25519", x: `public-${kid}` },
    privateKeyPkcs8: `-----BEGIN PRIVATE KEY-----\nsecret-of-${kid}\n-----END PRIVATE KEY-----\n`,
  };
}

/** Instants with milliseconds, as the stores keep them (datetime(3)). */
export const at = (iso: string) => new Date(iso);
