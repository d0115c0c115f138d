import type { Clock } from "../kit/clock.ts";
import type { RequestContext } from "../kit/request-context.ts";
import type { SessionRepository } from "./session-repository.ts";

/**
 * users disabled a user (UserDisabled on `user-events`): every session of theirs ends, so no
 * refresh token of theirs works any more. Access tokens already issued live out their few
 * minutes. Idempotent: a redelivered event finds nothing left to revoke.
 */
export async function revokeSessionsOfDisabledUser(
  deps: { readonly sessions: SessionRepository; readonly clock: Clock },
  ctx: RequestContext,
  userId: string,
): Promise<number> {
  return deps.sessions.revokeAllOfUser(ctx.tenantId, userId, "user_disabled", deps.clock.now());
}
