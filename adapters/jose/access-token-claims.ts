/**
 * The access token format, shared by the issuer and the verifier (docs/auth.md).
 * Registered claims: iss, aud, sub (user id), iat, nbf, exp, jti. Private claims below.
 */
export const ACCESS_TOKEN_TYPE = "at+jwt"; // RFC 9068: tells access tokens apart from other JWTs

export const TENANT_CLAIM = "tid";
export const ROLES_CLAIM = "roles";
export const SESSION_CLAIM = "sid";

/** Bounds on what a token may carry, so that a header cannot smuggle in something huge. */
export const MAX_SUBJECT_LENGTH = 64;
export const MAX_ROLES = 16;
export const MAX_ROLE_LENGTH = 64;
