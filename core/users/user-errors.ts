import { alreadyExists, DomainError, failedPrecondition, invalidField, notFound } from "../kit/domain-error.ts";

/** The users context's expected failures, with their stable codes. */
export const userErrors = {
  notFound: (userId: string) => notFound("user", userId, "USER.NOT_FOUND"),
  emailTaken: () => alreadyExists("USER.EMAIL_TAKEN", "email: already registered in this tenant"),
  /** One answer for an unknown, expired or spent token: which of them is not told. */
  tokenInvalid: () => failedPrecondition("USER.TOKEN_INVALID", "the token is unknown, expired or already used"),
  addressNotFound: (addressId: string) => notFound("address", addressId, "USER.ADDRESS_NOT_FOUND"),
  cannotDisableSelf: () => failedPrecondition("USER.CANNOT_DISABLE_SELF", "an admin cannot disable themselves"),
  lastAdmin: () => failedPrecondition("USER.LAST_ADMIN", "the tenant would be left without an active admin"),
  idempotencyKeyReused: () =>
    invalidField("idempotency_key", "was already used with a different request", "USER.IDEMPOTENCY_KEY_REUSED"),
  concurrentUpdate: (userId: string) =>
    new DomainError("conflict", "USER.CONCURRENT_UPDATE", `user ${userId} was changed meanwhile; try again`),
};
