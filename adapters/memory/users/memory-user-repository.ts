import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import type { Role } from "../../../core/kit/roles.ts";
import { alreadyExists } from "../../../core/kit/domain-error.ts";
import type { IdempotencyRecord } from "../../../core/users/idempotency-record.ts";
import { searchText } from "../../../core/users/search-text.ts";
import { User, type UserSnapshot } from "../../../core/users/user.ts";
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

interface TokenRow extends StoredToken {
  readonly tenantId: TenantId;
}

/** Users, tokens and answers in Maps, events in a list: for unit tests; passes the same contract as the SQL one. */
export class MemoryUserRepository implements UserRepository {
  readonly #users = new Map<string, UserSnapshot>();
  readonly #tokens = new Map<string, TokenRow>();
  readonly #answers = new Map<string, IdempotencyRecord>();
  readonly #toEvent: EventMapper<UserEvent>;
  readonly outbox: IntegrationEvent[] = [];

  constructor(toEvent: EventMapper<UserEvent>) {
    this.#toEvent = toEvent;
  }

  async find(tenantId: TenantId, userId: string): Promise<User | undefined> {
    const row = this.#users.get(`${tenantId}/${userId}`);
    return row && User.restore(row);
  }

  async findByEmail(tenantId: TenantId, normalizedEmail: string): Promise<User | undefined> {
    const row = this.#ofTenant(tenantId).find((u) => u.normalizedEmail === normalizedEmail);
    return row && User.restore(row);
  }

  async findToken(tenantId: TenantId, purpose: TokenPurpose, hash: string): Promise<StoredToken | undefined> {
    const row = this.#tokens.get(`${tenantId}/${hash}`);
    if (!row || row.purpose !== purpose) return undefined;
    const { tenantId: _, ...token } = row;
    return token;
  }

  async findIdempotencyRecord(tenantId: TenantId, scope: string, keyHash: string): Promise<IdempotencyRecord | undefined> {
    return this.#answers.get(`${tenantId}/${scope}/${keyHash}`);
  }

  async add(user: User, ctx: RequestContext, options: WriteOptions = {}): Promise<void> {
    const state = user.snapshot();
    this.#checkAnswerIsNew(state.tenantId, options);
    if (this.#ofTenant(state.tenantId).some((u) => u.normalizedEmail === state.normalizedEmail)) throw userErrors.emailTaken();
    this.#commit(user, ctx, options);
  }

  async update(user: User, ctx: RequestContext, options: WriteOptions = {}): Promise<void> {
    if (!user.hasChanges && !options.idempotency) return;
    const state = user.snapshot();
    if (this.#users.get(`${state.tenantId}/${state.id}`)?.version !== user.loadedVersion) {
      throw userErrors.concurrentUpdate(state.id);
    }
    this.#checkAnswerIsNew(state.tenantId, options);
    this.#commit(user, ctx, options);
  }

  async list(tenantId: TenantId, query: UserListQuery): Promise<UserPage> {
    const binding = listBinding(tenantId, query.status, query.role);
    const after = decodeListCursor(binding, query.pageToken);
    const matching = this.#ofTenant(tenantId)
      .filter((u) => (!query.status || u.status === query.status) && (!query.role || u.roles.includes(query.role)))
      .filter(
        (u) =>
          !after || u.createdAt.getTime() < after.createdAtMs || (u.createdAt.getTime() === after.createdAtMs && u.id < after.id),
      )
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
    const page = matching.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      users: page.map((row) => User.restore(row)),
      nextPageToken:
        matching.length > query.pageSize && last
          ? encodeListCursor(binding, { createdAtMs: last.createdAt.getTime(), id: last.id })
          : undefined,
    };
  }

  async search(tenantId: TenantId, query: UserSearchQuery): Promise<UserPage> {
    const binding = searchBinding(tenantId, query.prefix);
    const after = decodeSearchCursor(binding, query.pageToken);
    const matching = this.#ofTenant(tenantId)
      .filter((u) => u.normalizedEmail.startsWith(query.prefix) || searchText(u.displayName).startsWith(query.prefix))
      .filter((u) => after === undefined || u.normalizedEmail > after)
      .sort((a, b) => (a.normalizedEmail < b.normalizedEmail ? -1 : 1));
    const page = matching.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      users: page.map((row) => User.restore(row)),
      nextPageToken: matching.length > query.pageSize && last ? encodeSearchCursor(binding, last.normalizedEmail) : undefined,
    };
  }

  async countActiveWithRole(tenantId: TenantId, role: Role): Promise<number> {
    return this.#ofTenant(tenantId).filter((u) => u.status === "active" && u.roles.includes(role)).length;
  }

  #ofTenant(tenantId: TenantId): UserSnapshot[] {
    return [...this.#users.values()].filter((u) => u.tenantId === tenantId);
  }

  #checkAnswerIsNew(tenantId: TenantId, options: WriteOptions): void {
    const answer = options.idempotency;
    if (answer && this.#answers.has(`${tenantId}/${answer.scope}/${answer.keyHash}`)) {
      throw alreadyExists("USER.IDEMPOTENCY_KEY_TAKEN", "idempotency_key: stored meanwhile");
    }
  }

  /** Everything below is checked already: the writes cannot fail half-way. */
  #commit(user: User, ctx: RequestContext, options: WriteOptions): void {
    const state = user.snapshot();
    this.#users.set(`${state.tenantId}/${state.id}`, state);
    for (const change of user.pullTokenChanges()) this.#applyToken(state.tenantId, change);
    const answer = options.idempotency;
    if (answer) this.#answers.set(`${state.tenantId}/${answer.scope}/${answer.keyHash}`, answer);
    this.outbox.push(...user.pullEvents().map((event) => this.#toEvent(event, ctx)));
  }

  #applyToken(tenantId: TenantId, change: TokenChange): void {
    const userId = change.kind === "issued" ? change.token.userId : this.#tokens.get(`${tenantId}/${change.hash}`)?.userId;
    const purpose = change.kind === "issued" ? change.token.purpose : change.purpose;
    const at = change.kind === "issued" ? change.token.createdAt : change.at;
    for (const [key, row] of this.#tokens) {
      if (row.tenantId === tenantId && row.userId === userId && row.purpose === purpose && row.spentAt === undefined) {
        this.#tokens.set(key, { ...row, spentAt: at });
      }
    }
    if (change.kind === "issued") this.#tokens.set(`${tenantId}/${change.token.hash}`, { ...change.token, tenantId });
  }
}
