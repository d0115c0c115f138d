import { requireCaller } from "../kit/caller-guards.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { checkRefreshTokenShape } from "./refresh-session.ts";
import { retryOnConflict, type SessionDeps } from "./session-tokens.ts";

/** Ends the session that issued this refresh token (spent or not). Idempotent: an unknown token is fine. */
export async function logout(
  deps: Pick<SessionDeps, "sessions" | "tokens" | "clock">,
  ctx: RequestContext,
  refreshToken: string,
): Promise<void> {
  checkRefreshTokenShape(refreshToken);
  const digest = deps.tokens.digest(refreshToken);
  await retryOnConflict(async () => {
    const session = await deps.sessions.findByTokenDigest(ctx.tenantId, digest);
    if (session?.revoke("logout", deps.clock.now())) await deps.sessions.update(session);
  });
}

/** Ends every session of the caller, this one included; resolves to how many were active. */
export async function logoutEverywhere(deps: Pick<SessionDeps, "sessions" | "clock">, ctx: RequestContext): Promise<number> {
  const caller = requireCaller(ctx);
  return deps.sessions.revokeAllOfUser(ctx.tenantId, caller.userId, "logout_everywhere", deps.clock.now());
}
