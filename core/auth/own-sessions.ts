import { requireCaller } from "../kit/caller-guards.ts";
import { invalidField, notFound } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import type { SessionSnapshot } from "./session.ts";
import { retryOnConflict, type SessionDeps } from "./session-tokens.ts";

export const DEFAULT_SESSION_PAGE_SIZE = 20;
export const MAX_SESSION_PAGE_SIZE = 100;

export interface SessionView extends SessionSnapshot {
  /** The session of the access token that asked. */
  readonly current: boolean;
}

/** The caller's active sessions, newest first. */
export async function listOwnSessions(
  deps: Pick<SessionDeps, "sessions" | "clock">,
  ctx: RequestContext,
  query: { readonly pageSize?: number | undefined; readonly pageToken?: string | undefined },
): Promise<{ sessions: SessionView[]; nextPageToken: string | undefined }> {
  const caller = requireCaller(ctx);
  const requested = query.pageSize ?? 0;
  if (requested < 0) throw invalidField("page.page_size", "must not be negative");
  const page = await deps.sessions.listActive({
    tenantId: ctx.tenantId,
    userId: caller.userId,
    now: deps.clock.now(),
    pageSize: Math.min(requested || DEFAULT_SESSION_PAGE_SIZE, MAX_SESSION_PAGE_SIZE),
    pageToken: query.pageToken || undefined,
  });
  return {
    sessions: page.sessions.map((session) => ({ ...session.snapshot(), current: session.id === caller.sessionId })),
    nextPageToken: page.nextPageToken,
  };
}

/**
 * Ends one of the caller's sessions. NOT_FOUND when the session is someone else's (or another
 * tenant's): whether it exists is none of the caller's business. Idempotent.
 */
export async function revokeOwnSession(
  deps: Pick<SessionDeps, "sessions" | "clock">,
  ctx: RequestContext,
  sessionId: string,
): Promise<void> {
  const caller = requireCaller(ctx);
  if (sessionId.length === 0) throw invalidField("session_id", "required");
  await retryOnConflict(async () => {
    const session = await deps.sessions.find(ctx.tenantId, sessionId);
    if (!session || session.userId !== caller.userId) throw notFound("session", sessionId, "AUTH.SESSION_NOT_FOUND");
    if (session.revoke("revoked_by_user", deps.clock.now())) await deps.sessions.update(session);
  });
}
