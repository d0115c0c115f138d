import { invalidField } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { invalidRefreshToken } from "./auth-errors.ts";
import { activeUserAccess, retryOnConflict, type SessionDeps, type SessionTokens, sessionTokens } from "./session-tokens.ts";

export const MAX_REFRESH_TOKEN_LENGTH = 512;

export function checkRefreshTokenShape(token: string, field = "refresh_token"): void {
  if (token.length === 0) throw invalidField(field, "required");
  if (token.length > MAX_REFRESH_TOKEN_LENGTH) throw invalidField(field, `at most ${MAX_REFRESH_TOKEN_LENGTH} characters`);
}

/**
 * Spends a refresh token for a new pair (rotation). A token of the family that was already
 * spent revokes the whole family: whoever holds the newest token is logged out too. The user's
 * status and roles are read again, so a disabled user cannot refresh (their session ends).
 * Two refreshes racing with one token are a reuse: the loser finds the token spent.
 */
export async function refreshSession(deps: SessionDeps, ctx: RequestContext, refreshToken: string): Promise<SessionTokens> {
  checkRefreshTokenShape(refreshToken);
  const digest = deps.tokens.digest(refreshToken);
  return retryOnConflict(async () => {
    const session = await deps.sessions.findByTokenDigest(ctx.tenantId, digest);
    if (!session?.isActive(deps.clock.now())) throw invalidRefreshToken();
    if (!session.isCurrentToken(digest)) {
      session.revoke("refresh_token_reused", deps.clock.now());
      await deps.sessions.update(session);
      throw invalidRefreshToken();
    }
    const access = await activeUserAccess(deps.users, ctx, session.userId);
    const now = deps.clock.now();
    if (!access) {
      session.revoke("user_inactive", now);
      await deps.sessions.update(session);
      throw invalidRefreshToken();
    }
    if (!session.isActive(now)) throw invalidRefreshToken();
    const next = deps.tokens.generate();
    session.rotate(deps.tokens.digest(next), now, deps.policy);
    await deps.sessions.update(session);
    return sessionTokens(deps, session, access, next);
  });
}
