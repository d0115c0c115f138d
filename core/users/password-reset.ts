import { invalidField, isDomainError } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { parseEmail } from "./email-address.ts";
import { tokenHolder } from "./token-holder.ts";
import { checkPassword } from "./user-fields.ts";
import { changeUser, retryOnConflict, saveUser } from "./user-store.ts";
import { newToken, type ResetPurpose } from "./user-token.ts";
import type { User } from "./user.ts";
import type { UsersDeps } from "./users-deps.ts";

/**
 * Sends a reset link when the email belongs to an active user of the tenant and no link went
 * out within the cooldown. Answers the same in every case (no user enumeration).
 */
export async function requestPasswordReset(deps: UsersDeps, ctx: RequestContext, emailInput: string): Promise<void> {
  const email = parseEmail(emailInput);
  await retryOnConflict(async () => {
    const user = await deps.users.findByEmail(ctx.tenantId, email.normalized);
    if (user && sendResetLink(deps, user, "forgotten_password")) await saveUser(deps, user, ctx);
  });
}

/** Issues a reset (or first-password) link on `user`; false when none is due. */
export function sendResetLink(deps: Pick<UsersDeps, "secrets" | "clock" | "policy">, user: User, purpose: ResetPurpose): boolean {
  const now = deps.clock.now();
  const ttl = purpose === "admin_invitation" ? deps.policy.invitationTokenTtlMs : deps.policy.resetTokenTtlMs;
  const cooldown = purpose === "admin_invitation" ? 0 : deps.policy.resendCooldownMs;
  return user.requestPasswordReset(newToken(deps.secrets, ttl, now), purpose, now, cooldown);
}

/**
 * Spends a reset token, then has auth set the new password and revoke every session, then
 * publishes PasswordChanged. The token is spent first, in its own commit, so that it works
 * exactly once even under concurrent use; if auth then refuses or cannot be reached, the user
 * asks for a new link.
 */
export async function resetPassword(
  deps: UsersDeps,
  ctx: RequestContext,
  input: { readonly token: string; readonly newPassword: string },
): Promise<void> {
  checkPassword(input.newPassword, "new_password");
  const user = await retryOnConflict(async () => {
    const holder = await tokenHolder(deps, ctx, "password_reset", input.token);
    holder.user.spendResetToken(holder.token, deps.clock.now());
    await saveUser(deps, holder.user, ctx);
    return holder.user;
  });
  try {
    await deps.credentials.setPassword(ctx, {
      userId: user.id,
      email: user.snapshot().normalizedEmail,
      password: input.newPassword,
      revokeSessions: true,
    });
  } catch (error) {
    if (isDomainError(error) && error.kind === "invalid") throw invalidField("new_password", error.message, error.code);
    throw error;
  }
  await changeUser(deps, ctx, user.id, (fresh) => fresh.passwordChanged(deps.clock.now()));
}
