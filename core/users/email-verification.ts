import type { RequestContext } from "../kit/request-context.ts";
import { parseEmail } from "./email-address.ts";
import { tokenHolder } from "./token-holder.ts";
import { retryOnConflict, saveUser } from "./user-store.ts";
import { newToken } from "./user-token.ts";
import type { UsersDeps } from "./users-deps.ts";

/**
 * Sends a new verification link when the email belongs to an active, unverified user of the
 * tenant and no link went out within the cooldown. Answers the same (nothing) in every case,
 * so the caller learns nothing about which emails are registered.
 */
export async function requestEmailVerification(deps: UsersDeps, ctx: RequestContext, emailInput: string): Promise<void> {
  const email = parseEmail(emailInput);
  await retryOnConflict(async () => {
    const user = await deps.users.findByEmail(ctx.tenantId, email.normalized);
    if (!user) return;
    const now = deps.clock.now();
    if (
      user.requestEmailVerification(
        newToken(deps.secrets, deps.policy.verificationTokenTtlMs, now),
        now,
        deps.policy.resendCooldownMs,
      )
    )
      await saveUser(deps, user, ctx);
  });
}

/** Spends a verification token: the email is verified (FAILED_PRECONDITION USER.TOKEN_INVALID otherwise). */
export async function verifyEmail(deps: UsersDeps, ctx: RequestContext, rawToken: string): Promise<void> {
  await retryOnConflict(async () => {
    const { user, token } = await tokenHolder(deps, ctx, "email_verification", rawToken);
    user.verifyEmail(token, deps.clock.now());
    await saveUser(deps, user, ctx);
  });
}
