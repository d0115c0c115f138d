import { alreadyExists, unauthenticated } from "../kit/domain-error.ts";

/**
 * The one answer to every failed login: unknown email, wrong password, disabled or missing
 * user. Telling them apart would let a caller find out which emails have accounts.
 */
export const invalidCredentials = () => unauthenticated("invalid email or password", "AUTH.INVALID_CREDENTIALS");

/** The one answer to every refresh token that cannot be used: unknown, spent, expired, revoked. */
export const invalidRefreshToken = () => unauthenticated("invalid refresh token", "AUTH.REFRESH_TOKEN_INVALID");

/** SetCredential for an email that another user of the tenant logs in with. */
export const emailTaken = () => alreadyExists("AUTH.EMAIL_TAKEN", "the email belongs to another user of the tenant");
