import type { RequestContext } from "../kit/request-context.ts";

/**
 * Where passwords go: users never stores one; auth owns the credential (AuthService.SetCredential).
 * Rejects with a DomainError: invalid (field "password": auth's policy refused it),
 * already_exists (the email belongs to another credential of the tenant), unavailable (auth
 * cannot be reached). Idempotent on the user id: calling it again with the same password is harmless.
 */
export interface CredentialRegistry {
  setPassword(
    ctx: RequestContext,
    credential: { readonly userId: string; readonly email: string; readonly password: string; readonly revokeSessions: boolean },
  ): Promise<void>;
}
