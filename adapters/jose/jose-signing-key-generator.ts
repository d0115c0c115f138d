import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from "jose";
import type { PublicJwk, SigningAlgorithm } from "../../core/auth/signing-key.ts";
import type { SigningKeyGenerator } from "../../core/auth/signing-key-generator.ts";

/** New Ed25519 (EdDSA, the default) or P-256 (ES256) key pairs; kid = RFC 7638 thumbprint. */
export function createJoseSigningKeyGenerator(algorithm: SigningAlgorithm = "EdDSA"): SigningKeyGenerator {
  return {
    async generate() {
      const { publicKey, privateKey } = await generateKeyPair(algorithm, { extractable: true });
      const jwk = await exportJWK(publicKey);
      const publicJwk = publicJwkOf(jwk);
      return {
        kid: await calculateJwkThumbprint(jwk, "sha256"),
        algorithm,
        publicJwk,
        privateKeyPkcs8: await exportPKCS8(privateKey),
      };
    },
  };
}

function publicJwkOf(jwk: { kty?: string; crv?: string; x?: string; y?: string }): PublicJwk {
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519" && jwk.x) return { kty: "OKP", crv: "Ed25519", x: jwk.x };
  if (jwk.kty === "EC" && jwk.crv === "P-256" && jwk.x && jwk.y) return { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y };
  throw new Error(`unexpected public key shape: ${jwk.kty}/${jwk.crv}`);
}
