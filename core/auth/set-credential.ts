import type { Clock } from "../kit/clock.ts";
import { invalidField } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { MAX_USER_ID_LENGTH } from "./credential.ts";
import type { CredentialRepository } from "./credential-repository.ts";
import { normalizeEmail } from "./login-email.ts";
import type { PasswordHasher } from "./password-hasher.ts";
import { checkNewPassword } from "./password-policy.ts";
import type { SessionRepository } from "./session-repository.ts";

export interface SetCredentialDeps {
  readonly credentials: CredentialRepository;
  readonly hasher: PasswordHasher;
  readonly sessions: SessionRepository;
  readonly clock: Clock;
}

export interface SetCredentialInput {
  readonly userId: string;
  readonly email: string;
  readonly password: string;
  /** A password reset: every session of the user ends. */
  readonly revokeSessions: boolean;
}

/**
 * Creates or replaces a user's password (users calls it on Register, ResetPassword and for a
 * tenant's first admin). Idempotent on the user. ALREADY_EXISTS when another user of the tenant
 * logs in with the email; nothing is revoked then.
 */
export async function setCredential(deps: SetCredentialDeps, ctx: RequestContext, input: SetCredentialInput): Promise<void> {
  if (input.userId.length === 0) throw invalidField("user_id", "required");
  if (input.userId.length > MAX_USER_ID_LENGTH) throw invalidField("user_id", `at most ${MAX_USER_ID_LENGTH} characters`);
  const email = normalizeEmail(input.email);
  checkNewPassword(input.password, email);
  const passwordHash = await deps.hasher.hash(input.password);
  const now = deps.clock.now();
  const existing = await deps.credentials.findByUser(ctx.tenantId, input.userId);
  await deps.credentials.save({
    tenantId: ctx.tenantId,
    userId: input.userId,
    email,
    passwordHash,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  });
  if (input.revokeSessions) await deps.sessions.revokeAllOfUser(ctx.tenantId, input.userId, "password_reset", now);
}
