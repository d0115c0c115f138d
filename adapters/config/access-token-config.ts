import { z } from "zod";
import { parseKeyEncryptionKey } from "../node-crypto/aes-gcm-key-encryption.ts";

/**
 * Configuration fields for access tokens, to spread into a service's schema (docs/auth.md).
 * Every service verifies; the auth service also issues and keeps the signing keys.
 */
export const accessTokenVerifyingConfig = {
  /** `iss` of every access token; the same value in auth and in every verifier. */
  SHOPMESH_TOKEN_ISSUER: z.string().min(1).default("shopmesh-auth"),
  /** `aud` of every access token: the shopmesh API as a whole. */
  SHOPMESH_TOKEN_AUDIENCE: z.string().min(1).default("shopmesh"),
  /** Seconds of slack for clocks that disagree, on exp/nbf/iat. */
  SHOPMESH_TOKEN_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(120).default(10),
};

/** A service of its own verifies against the auth service's JWKS endpoint. */
export const remoteJwksConfig = {
  /** e.g. http://auth:8080/.well-known/jwks.json. Required: no default. */
  SHOPMESH_AUTH_JWKS_URL: z.string().url(),
};

export const accessTokenIssuingConfig = {
  ...accessTokenVerifyingConfig,
  /** Lifetime of an access token; refresh tokens renew it. */
  SHOPMESH_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3_600).default(600),
  /** A signing key is replaced after this many days. */
  SHOPMESH_SIGNING_KEY_ROTATE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** The key-encryption key for private signing keys at rest: base64 of 32 random bytes. Secret; no default. */
  SHOPMESH_AUTH_KEY_ENCRYPTION_KEY: z
    .string({ error: "required: base64 of 32 random bytes (openssl rand -base64 32)" })
    .transform((value, ctx) => {
      try {
        return parseKeyEncryptionKey(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
};
