import type { TenantId } from "../kit/request-context.ts";
import type { Session, SessionRevocation } from "./session.ts";

export interface SessionPage {
  readonly sessions: readonly Session[];
  /** Opaque; absent on the last page. */
  readonly nextPageToken: string | undefined;
}

/**
 * Where sessions and the digests of their refresh tokens live; every query is scoped by tenant.
 * `add` and `update` store the session's newly issued token digests with it, atomically.
 * `update` fails ABORTED (conflict) when the stored version moved on.
 */
export interface SessionRepository {
  find(tenantId: TenantId, sessionId: string): Promise<Session | undefined>;
  /** The session that issued the token with this digest, spent or not. */
  findByTokenDigest(tenantId: TenantId, digest: string): Promise<Session | undefined>;
  add(session: Session): Promise<void>;
  update(session: Session): Promise<void>;
  /** Revokes every active session of the user (bumping their versions); resolves to how many. */
  revokeAllOfUser(tenantId: TenantId, userId: string, reason: SessionRevocation, at: Date): Promise<number>;
  /** The user's active sessions at `now`, newest first (createdAt, then id, descending). */
  listActive(query: {
    readonly tenantId: TenantId;
    readonly userId: string;
    readonly now: Date;
    readonly pageSize: number;
    readonly pageToken?: string | undefined;
  }): Promise<SessionPage>;
}
