import { Session, type SessionRevocation, type SessionSnapshot } from "../../../core/auth/session.ts";
import type { SessionPage, SessionRepository } from "../../../core/auth/session-repository.ts";
import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { decodeSessionPageToken, encodeSessionPageToken, newestFirst } from "../../../core/auth/session-page-token.ts";

/** Sessions and token digests in Maps: for unit tests; passes the same contract as the SQL one. */
export class MemorySessionRepository implements SessionRepository {
  readonly #rows = new Map<string, SessionSnapshot>();
  readonly #digests = new Map<string, { tenantId: TenantId; sessionId: string }>();

  async find(tenantId: TenantId, sessionId: string): Promise<Session | undefined> {
    const row = this.#rows.get(sessionId);
    return row?.tenantId === tenantId ? Session.restore(row) : undefined;
  }

  async findByTokenDigest(tenantId: TenantId, digest: string): Promise<Session | undefined> {
    const owner = this.#digests.get(digest);
    return owner?.tenantId === tenantId ? this.find(tenantId, owner.sessionId) : undefined;
  }

  async add(session: Session): Promise<void> {
    if (this.#rows.has(session.id)) throw alreadyExists("AUTH.SESSION_EXISTS", `session ${session.id} already exists`);
    this.#store(session);
  }

  async update(session: Session): Promise<void> {
    if (!session.hasChanges) return;
    if (this.#rows.get(session.id)?.version !== session.loadedVersion) {
      throw conflict("AUTH.SESSION_CONCURRENT_UPDATE", `session ${session.id} was changed meanwhile`);
    }
    this.#store(session);
  }

  async revokeAllOfUser(tenantId: TenantId, userId: string, reason: SessionRevocation, at: Date): Promise<number> {
    let revoked = 0;
    for (const row of this.#rows.values()) {
      if (row.tenantId !== tenantId || row.userId !== userId || !isActive(row, at)) continue;
      this.#rows.set(row.id, { ...row, revokedAt: at, revokedReason: reason, version: row.version + 1 });
      revoked++;
    }
    return revoked;
  }

  async listActive(query: Parameters<SessionRepository["listActive"]>[0]): Promise<SessionPage> {
    const after = decodeSessionPageToken(query.pageToken);
    const matching = [...this.#rows.values()]
      .filter((row) => row.tenantId === query.tenantId && row.userId === query.userId && isActive(row, query.now))
      .sort(newestFirst)
      .filter((row) => !after || newestFirst(row, after) > 0);
    const page = matching.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      sessions: page.map((row) => Session.restore(row)),
      nextPageToken: matching.length > query.pageSize && last ? encodeSessionPageToken(last) : undefined,
    };
  }

  #store(session: Session): void {
    const state = session.snapshot();
    for (const digest of session.pullIssuedDigests()) {
      this.#digests.set(digest, { tenantId: state.tenantId, sessionId: state.id });
    }
    this.#rows.set(state.id, state);
  }
}

const isActive = (row: SessionSnapshot, now: Date) => row.revokedAt === undefined && now < row.expiresAt;
