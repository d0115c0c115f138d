import { type InferEntity, raw, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { Session, type SessionRevocation, type SessionSnapshot } from "../../../core/auth/session.ts";
import { decodeSessionPageToken, encodeSessionPageToken } from "../../../core/auth/session-page-token.ts";
import type { SessionPage, SessionRepository } from "../../../core/auth/session-repository.ts";
import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { RefreshTokenRecord } from "./refresh-token-record.ts";
import { SessionRecord } from "./session-record.ts";

type Row = InferEntity<typeof SessionRecord>;

/**
 * Sessions and their refresh token digests in the auth database (MariaDB or SQLite). A change
 * and the digests it issued commit together; an update from a stale version changes nothing
 * and fails with a conflict, which is how two rotations of one token are told apart.
 */
export class MikroOrmSessionRepository implements SessionRepository {
  readonly #em: SqlEntityManager;

  constructor(em: SqlEntityManager) {
    this.#em = em;
  }

  async find(tenantId: TenantId, sessionId: string): Promise<Session | undefined> {
    const row = await this.#em.fork().findOne(SessionRecord, { id: sessionId, tenantId }, { disableIdentityMap: true });
    return row ? Session.restore(toSnapshot(row)) : undefined;
  }

  async findByTokenDigest(tenantId: TenantId, digest: string): Promise<Session | undefined> {
    const token = await this.#em.fork().findOne(RefreshTokenRecord, { digest, tenantId }, { disableIdentityMap: true });
    return token ? this.find(tenantId, token.sessionId) : undefined;
  }

  async add(session: Session): Promise<void> {
    try {
      await this.#em.fork().transactional(async (tx) => {
        await tx.insert(SessionRecord, toRow(session.snapshot()));
        await this.#insertDigests(tx, session);
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw alreadyExists("AUTH.SESSION_EXISTS", `session ${session.id} already exists`);
      }
      throw error;
    }
  }

  async update(session: Session): Promise<void> {
    if (!session.hasChanges) return;
    const state = session.snapshot();
    await this.#em.fork().transactional(async (tx) => {
      const changed = await tx.nativeUpdate(
        SessionRecord,
        { id: state.id, tenantId: state.tenantId, version: session.loadedVersion },
        toRow(state),
      );
      if (changed !== 1) throw conflict("AUTH.SESSION_CONCURRENT_UPDATE", `session ${state.id} was changed meanwhile`);
      await this.#insertDigests(tx, session);
    });
  }

  async revokeAllOfUser(tenantId: TenantId, userId: string, reason: SessionRevocation, at: Date): Promise<number> {
    return this.#em
      .fork()
      .nativeUpdate(
        SessionRecord,
        { tenantId, userId, revokedAt: null, expiresAt: { $gt: at } },
        { revokedAt: at, revokedReason: reason, version: raw("version + 1") },
      );
  }

  async listActive(query: Parameters<SessionRepository["listActive"]>[0]): Promise<SessionPage> {
    const after = decodeSessionPageToken(query.pageToken);
    const rows = await this.#em.fork().find(
      SessionRecord,
      {
        tenantId: query.tenantId,
        userId: query.userId,
        revokedAt: null,
        expiresAt: { $gt: query.now },
        ...(after
          ? { $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }] }
          : {}),
      },
      { orderBy: { createdAt: "desc", id: "desc" }, limit: query.pageSize + 1, disableIdentityMap: true },
    );
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      sessions: page.map((row) => Session.restore(toSnapshot(row))),
      nextPageToken: rows.length > query.pageSize && last ? encodeSessionPageToken(last) : undefined,
    };
  }

  async #insertDigests(tx: SqlEntityManager, session: Session): Promise<void> {
    const state = session.snapshot();
    const digests = session.pullIssuedDigests();
    if (digests.length === 0) return;
    await tx.insertMany(
      RefreshTokenRecord,
      digests.map((digest) => ({ digest, tenantId: state.tenantId, sessionId: state.id, issuedAt: state.lastRefreshedAt })),
    );
  }
}

function toRow(s: SessionSnapshot): Row {
  return {
    id: s.id,
    tenantId: s.tenantId,
    userId: s.userId,
    currentTokenDigest: s.currentTokenDigest,
    createdAt: s.createdAt,
    lastRefreshedAt: s.lastRefreshedAt,
    absoluteExpiresAt: s.absoluteExpiresAt,
    expiresAt: s.expiresAt,
    userAgent: s.userAgent,
    ipAddressMasked: s.ipAddressMasked,
    revokedAt: s.revokedAt ?? null,
    revokedReason: s.revokedReason ?? null,
    version: s.version,
  };
}

function toSnapshot(row: Row): SessionSnapshot {
  return {
    id: row.id,
    tenantId: row.tenantId as TenantId,
    userId: row.userId,
    currentTokenDigest: row.currentTokenDigest,
    createdAt: row.createdAt,
    lastRefreshedAt: row.lastRefreshedAt,
    absoluteExpiresAt: row.absoluteExpiresAt,
    expiresAt: row.expiresAt,
    userAgent: row.userAgent,
    ipAddressMasked: row.ipAddressMasked,
    revokedAt: row.revokedAt ?? undefined,
    revokedReason: (row.revokedReason ?? undefined) as SessionRevocation | undefined,
    version: row.version,
  };
}
