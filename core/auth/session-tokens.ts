import type { Clock } from "../kit/clock.ts";
import { isDomainError } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import type { AccessTokenIssuer } from "./access-token-issuer.ts";
import type { OpaqueTokens } from "./opaque-tokens.ts";
import type { Session } from "./session.ts";
import type { SessionPolicy } from "./session-policy.ts";
import type { SessionRepository } from "./session-repository.ts";
import type { UserAccess, UserAccessLookup } from "./user-access.ts";

/** What login, refresh and logout share. */
export interface SessionDeps {
  readonly sessions: SessionRepository;
  readonly tokens: OpaqueTokens;
  readonly issuer: AccessTokenIssuer;
  readonly users: UserAccessLookup;
  readonly clock: Clock;
  readonly policy: SessionPolicy;
}

/** An access token and the refresh token that renews it, for one session. */
export interface SessionTokens {
  readonly sessionId: string;
  readonly userId: string;
  readonly accessToken: string;
  readonly accessTokenExpiresAt: Date;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: Date;
}

/** Signs the access token for a session whose refresh token was just issued. */
export async function sessionTokens(
  deps: Pick<SessionDeps, "issuer">,
  session: Session,
  access: UserAccess,
  refreshToken: string,
): Promise<SessionTokens> {
  const snapshot = session.snapshot();
  const accessToken = await deps.issuer.issue({
    tenantId: snapshot.tenantId,
    userId: snapshot.userId,
    roles: access.roles,
    sessionId: snapshot.id,
  });
  return {
    sessionId: snapshot.id,
    userId: snapshot.userId,
    accessToken: accessToken.token,
    accessTokenExpiresAt: accessToken.expiresAt,
    refreshToken,
    refreshTokenExpiresAt: snapshot.expiresAt,
  };
}

/** The user's access when the user exists and is active; undefined otherwise. */
export async function activeUserAccess(
  users: UserAccessLookup,
  ctx: RequestContext,
  userId: string,
): Promise<UserAccess | undefined> {
  const access = await users.find(ctx, userId);
  return access?.status === "active" ? access : undefined;
}

/** Runs `work` again (it re-reads) when it lost a race on a session's version; at most `attempts` times. */
export async function retryOnConflict<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isDomainError(error) || error.kind !== "conflict") throw error;
    }
  }
}
