import { IsolationLevel, UniqueConstraintViolationException } from "@mikro-orm/core";
import { raw, type SqlEntityManager } from "@mikro-orm/sql";
import { alreadyExists, DomainError } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import type { Role } from "../../../core/kit/roles.ts";
import type { IdempotencyRecord } from "../../../core/users/idempotency-record.ts";
import { User } from "../../../core/users/user.ts";
import { userErrors } from "../../../core/users/user-errors.ts";
import type { UserEvent } from "../../../core/users/user-events.ts";
import {
  decodeListCursor,
  decodeSearchCursor,
  encodeListCursor,
  encodeSearchCursor,
  listBinding,
  searchBinding,
} from "../../../core/users/user-page-cursor.ts";
import type {
  UserListQuery,
  UserPage,
  UserRepository,
  UserSearchQuery,
  WriteOptions,
} from "../../../core/users/user-repository.ts";
import type { StoredToken, TokenChange, TokenPurpose } from "../../../core/users/user-token.ts";
import { appendToOutbox } from "../mikro-orm-outbox.ts";
import { retryTransaction } from "../transaction-retry.ts";
import { UserAddressRecord } from "./user-address-record.ts";
import { UserIdempotencyRecord } from "./user-idempotency-record.ts";
import { UserRecord } from "./user-record.ts";
import { rolesColumn, toAddressRows, toSnapshot, toUserRow, type UserRow } from "./user-row-mapping.ts";
import { UserTokenRecord } from "./user-token-record.ts";

const READ = { disableIdentityMap: true } as const;

/** LIKE with `!` as the escape character on both engines (SQLite has no default one). */
const escapeLike = (value: string) => value.replace(/[!%_]/g, (c) => `!${c}`);

/**
 * Users in the users database (MariaDB or SQLite). A write is one transaction at read committed:
 * the user row first (inserted, or updated under its version, so writes of one user take turns),
 * then its addresses, its token changes, the idempotency record and its events in the outbox.
 * Every statement names the tenant. No statement locks a range: concurrent writes of different
 * users (many registrations in one tenant) do not wait on each other. A deadlock or lock wait
 * timeout still runs the whole transaction again (bounded; then ABORTED `USER.BUSY`), never a
 * database error for the caller.
 */
export class MikroOrmUserRepository implements UserRepository {
  readonly #em: SqlEntityManager;
  readonly #toEvent: EventMapper<UserEvent>;
  /** Write transactions run again after a deadlock or lock wait timeout (for tests and metrics). */
  retries = 0;

  constructor(em: SqlEntityManager, toEvent: EventMapper<UserEvent>) {
    this.#em = em;
    this.#toEvent = toEvent;
  }

  async find(tenantId: TenantId, userId: string): Promise<User | undefined> {
    const row = await this.#em.fork().findOne(UserRecord, { tenantId, id: userId }, READ);
    return row ? (await this.#restore(tenantId, [row]))[0] : undefined;
  }

  async findByEmail(tenantId: TenantId, normalizedEmail: string): Promise<User | undefined> {
    const row = await this.#em.fork().findOne(UserRecord, { tenantId, normalizedEmail }, READ);
    return row ? (await this.#restore(tenantId, [row]))[0] : undefined;
  }

  async findToken(tenantId: TenantId, purpose: TokenPurpose, hash: string): Promise<StoredToken | undefined> {
    const row = await this.#em.fork().findOne(UserTokenRecord, { tenantId, tokenHash: hash, purpose }, READ);
    if (!row) return undefined;
    return {
      hash: row.tokenHash,
      userId: row.userId,
      purpose: row.purpose as TokenPurpose,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      spentAt: row.spentAt ?? undefined,
    };
  }

  async findIdempotencyRecord(tenantId: TenantId, scope: string, keyHash: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.#em.fork().findOne(UserIdempotencyRecord, { tenantId, scope, keyHash }, READ);
    return row
      ? { scope: row.scope, keyHash: row.keyHash, fingerprint: row.fingerprint, response: row.response, createdAt: row.createdAt }
      : undefined;
  }

  async add(user: User, ctx: RequestContext, options: WriteOptions = {}): Promise<void> {
    const state = user.snapshot();
    const writeAlongside = this.#alongside(user, ctx, options);
    try {
      await this.#transaction(async (tx) => {
        await tx.insert(UserRecord, toUserRow(state));
        await writeAlongside(tx);
      });
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const answer = options.idempotency;
      if (answer && (await this.findIdempotencyRecord(state.tenantId, answer.scope, answer.keyHash))) throw keyTaken();
      throw userErrors.emailTaken();
    }
  }

  async update(user: User, ctx: RequestContext, options: WriteOptions = {}): Promise<void> {
    if (!user.hasChanges && !options.idempotency) return;
    const state = user.snapshot();
    const writeAlongside = this.#alongside(user, ctx, options);
    try {
      await this.#transaction(async (tx) => {
        if (user.hasChanges) {
          const changed = await tx.nativeUpdate(
            UserRecord,
            { tenantId: state.tenantId, id: state.id, version: user.loadedVersion },
            toUserRow(state),
          );
          if (changed !== 1) throw userErrors.concurrentUpdate(state.id);
        }
        if (user.addressesChanged) await tx.nativeDelete(UserAddressRecord, { tenantId: state.tenantId, userId: state.id });
        await writeAlongside(tx);
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw keyTaken();
      throw error;
    }
  }

  async list(tenantId: TenantId, query: UserListQuery): Promise<UserPage> {
    const binding = listBinding(tenantId, query.status, query.role);
    const after = decodeListCursor(binding, query.pageToken);
    const rows = await this.#em.fork().find(
      UserRecord,
      {
        tenantId,
        ...(query.status ? { status: query.status } : {}),
        ...(query.role ? { [raw("roles like ? escape '!'", [`%${escapeLike(rolesColumn([query.role]))}%`])]: [] } : {}),
        ...(after
          ? {
              $or: [
                { createdAt: { $lt: new Date(after.createdAtMs) } },
                { createdAt: new Date(after.createdAtMs), id: { $lt: after.id } },
              ],
            }
          : {}),
      },
      { ...READ, orderBy: { createdAt: "desc", id: "desc" }, limit: query.pageSize + 1 },
    );
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      users: await this.#restore(tenantId, page),
      nextPageToken:
        rows.length > query.pageSize && last
          ? encodeListCursor(binding, { createdAtMs: last.createdAt.getTime(), id: last.id })
          : undefined,
    };
  }

  async search(tenantId: TenantId, query: UserSearchQuery): Promise<UserPage> {
    const binding = searchBinding(tenantId, query.prefix);
    const after = decodeSearchCursor(binding, query.pageToken);
    const pattern = `${escapeLike(query.prefix)}%`;
    const rows = await this.#em.fork().find(
      UserRecord,
      {
        tenantId,
        [raw("(normalized_email like ? escape '!' or search_name like ? escape '!')", [pattern, pattern])]: [],
        ...(after === undefined ? {} : { normalizedEmail: { $gt: after } }),
      },
      { ...READ, orderBy: { normalizedEmail: "asc" }, limit: query.pageSize + 1 },
    );
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      users: await this.#restore(tenantId, page),
      nextPageToken: rows.length > query.pageSize && last ? encodeSearchCursor(binding, last.normalizedEmail) : undefined,
    };
  }

  async countActiveWithRole(tenantId: TenantId, role: Role): Promise<number> {
    return this.#em.fork().count(UserRecord, {
      tenantId,
      status: "active",
      [raw("roles like ? escape '!'", [`%${escapeLike(rolesColumn([role]))}%`])]: [],
    });
  }

  /** One write transaction at read committed, run again on a deadlock or lock wait timeout. */
  #transaction(work: (tx: SqlEntityManager) => Promise<void>): Promise<void> {
    return retryTransaction(() => this.#em.fork().transactional(work, { isolationLevel: IsolationLevel.READ_COMMITTED }), {
      onRetry: () => {
        this.retries++;
      },
      busy: (cause) => new DomainError("conflict", "USER.BUSY", "users are busy with concurrent changes: try again", { cause }),
    });
  }

  /**
   * Addresses (when changed), token changes, idempotency record and events, to write inside the
   * caller's transaction. The token changes and events are pulled here, once, so that a
   * transaction run again writes them again.
   */
  #alongside(user: User, ctx: RequestContext, options: WriteOptions): (tx: SqlEntityManager) => Promise<void> {
    const state = user.snapshot();
    const addresses = user.addressesChanged ? toAddressRows(state) : [];
    const tokenChanges = user.pullTokenChanges();
    const events = user.pullEvents().map((event) => this.#toEvent(event, ctx));
    const answer = options.idempotency;
    return async (tx) => {
      if (addresses.length > 0) await tx.insertMany(UserAddressRecord, addresses);
      for (const change of tokenChanges) await applyTokenChange(tx, state.tenantId, state.id, change);
      if (answer) await tx.insert(UserIdempotencyRecord, { tenantId: state.tenantId, ...answer });
      await appendToOutbox(tx, events);
    };
  }

  async #restore(tenantId: TenantId, rows: readonly UserRow[]): Promise<User[]> {
    if (rows.length === 0) return [];
    const addresses = await this.#em.fork().find(UserAddressRecord, { tenantId, userId: { $in: rows.map((r) => r.id) } }, READ);
    return rows.map((row) =>
      User.restore(
        toSnapshot(
          row,
          addresses.filter((a) => a.userId === row.id),
        ),
      ),
    );
  }
}

/**
 * An issued token supersedes the user's live ones of its purpose; a spent one spends them all.
 * The live ones are found by a plain read and spent by primary key: an UPDATE filtered on
 * (tenant, user, purpose) is a locking range read (the tenant's whole primary key range when
 * the optimizer picks it), whose locks deadlocked with the token inserts of concurrent
 * registrations. The user's row, written first in the transaction, already makes writers of one
 * user's tokens take turns.
 */
async function applyTokenChange(tx: SqlEntityManager, tenantId: TenantId, userId: string, change: TokenChange): Promise<void> {
  const purpose = change.kind === "issued" ? change.token.purpose : change.purpose;
  const at = change.kind === "issued" ? change.token.createdAt : change.at;
  const live = await tx.find(
    UserTokenRecord,
    { tenantId, userId, purpose, spentAt: null },
    { fields: ["tokenHash"], disableIdentityMap: true },
  );
  if (live.length > 0) {
    await tx.nativeUpdate(
      UserTokenRecord,
      { tenantId, tokenHash: { $in: live.map((row) => row.tokenHash) }, spentAt: null },
      { spentAt: at },
    );
  }
  if (change.kind === "issued") {
    const t = change.token;
    await tx.insert(UserTokenRecord, {
      tenantId,
      tokenHash: t.hash,
      userId,
      purpose,
      createdAt: t.createdAt,
      expiresAt: t.expiresAt,
      spentAt: null,
    });
  }
}

function keyTaken() {
  return alreadyExists("USER.IDEMPOTENCY_KEY_TAKEN", "idempotency_key: stored meanwhile");
}
