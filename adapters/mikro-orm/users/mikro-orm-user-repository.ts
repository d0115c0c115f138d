import { UniqueConstraintViolationException } from "@mikro-orm/core";
import { raw, type SqlEntityManager } from "@mikro-orm/sql";
import { alreadyExists } from "../../../core/kit/domain-error.ts";
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
import { UserAddressRecord } from "./user-address-record.ts";
import { UserIdempotencyRecord } from "./user-idempotency-record.ts";
import { UserRecord } from "./user-record.ts";
import { rolesColumn, toAddressRows, toSnapshot, toUserRow, type UserRow } from "./user-row-mapping.ts";
import { UserTokenRecord } from "./user-token-record.ts";

const READ = { disableIdentityMap: true } as const;

/** LIKE with `!` as the escape character on both engines (SQLite has no default one). */
const escapeLike = (value: string) => value.replace(/[!%_]/g, (c) => `!${c}`);

/**
 * Users in the users database (MariaDB or SQLite). A write is one transaction: the user row
 * (guarded by its version), its addresses, its token changes, the idempotency record and its
 * events in the outbox. Every statement names the tenant.
 */
export class MikroOrmUserRepository implements UserRepository {
  readonly #em: SqlEntityManager;
  readonly #toEvent: EventMapper<UserEvent>;

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
    try {
      await this.#em.fork().transactional(async (tx) => {
        await tx.insert(UserRecord, toUserRow(state));
        await this.#writeAlongside(tx, user, ctx, options);
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
    try {
      await this.#em.fork().transactional(async (tx) => {
        if (user.hasChanges) {
          const changed = await tx.nativeUpdate(
            UserRecord,
            { tenantId: state.tenantId, id: state.id, version: user.loadedVersion },
            toUserRow(state),
          );
          if (changed !== 1) throw userErrors.concurrentUpdate(state.id);
        }
        if (user.addressesChanged) await tx.nativeDelete(UserAddressRecord, { tenantId: state.tenantId, userId: state.id });
        await this.#writeAlongside(tx, user, ctx, options);
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

  /** Addresses (when changed), token changes, idempotency record and events, inside the caller's transaction. */
  async #writeAlongside(tx: SqlEntityManager, user: User, ctx: RequestContext, options: WriteOptions): Promise<void> {
    const state = user.snapshot();
    const addresses = toAddressRows(state);
    if (user.addressesChanged && addresses.length > 0) await tx.insertMany(UserAddressRecord, addresses);
    for (const change of user.pullTokenChanges()) await applyTokenChange(tx, state.tenantId, state.id, change);
    const answer = options.idempotency;
    if (answer) await tx.insert(UserIdempotencyRecord, { tenantId: state.tenantId, ...answer });
    await appendToOutbox(
      tx,
      user.pullEvents().map((event) => this.#toEvent(event, ctx)),
    );
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

/** An issued token supersedes the user's live ones of its purpose; a spent one spends them all. */
async function applyTokenChange(tx: SqlEntityManager, tenantId: TenantId, userId: string, change: TokenChange): Promise<void> {
  const purpose = change.kind === "issued" ? change.token.purpose : change.purpose;
  const at = change.kind === "issued" ? change.token.createdAt : change.at;
  await tx.nativeUpdate(UserTokenRecord, { tenantId, userId, purpose, spentAt: null }, { spentAt: at });
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
