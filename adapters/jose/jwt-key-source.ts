import type { JWTVerifyGetKey } from "jose";

/**
 * Finds the public key for a token's header (kid, alg) among the published keys: what
 * jose's jwtVerify takes. Throws JwksUnavailableError when the keys cannot be loaded; any
 * other error means the token names no usable key.
 */
export type JwtKeySource = JWTVerifyGetKey;
