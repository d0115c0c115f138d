import type { RequestContext, TenantId } from "../kit/request-context.ts";
import type { Role } from "../kit/roles.ts";
import type { IdempotencyRecord } from "./idempotency-record.ts";
import type { User, UserStatus } from "./user.ts";
import type { StoredToken, TokenPurpose } from "./user-token.ts";

export interface UserPage {
  readonly users: readonly User[];
  /** Opaque; absent on the last page. */
  readonly nextPageToken: string | undefined;
}

export interface UserListQuery {
  readonly status?: UserStatus | undefined;
  readonly role?: Role | undefined;
  readonly pageSize: number;
  readonly pageToken?: string | undefined;
}

export interface UserSearchQuery {
  /** Already folded with searchText(); matched as a literal prefix of the email or display name. */
  readonly prefix: string;
  readonly pageSize: number;
  readonly pageToken?: string | undefined;
}

/** A write's side effects that must commit with it. */
export interface WriteOptions {
  readonly idempotency?: IdempotencyRecord | undefined;
}

/**
 * Where users live, always within one tenant: every lookup takes the tenant, and a user of
 * another tenant is simply not found. `add` and `update` store, atomically with the user row,
 * its addresses, its pending single-use token changes, its pending events (outbox) and the
 * idempotency record if given. `add` fails ALREADY_EXISTS (USER.EMAIL_TAKEN) when the normalized
 * email is taken in the tenant; both fail ALREADY_EXISTS (USER.IDEMPOTENCY_KEY_TAKEN) when the
 * idempotency key was stored meanwhile; `update` fails ABORTED when the stored version moved on.
 */
export interface UserRepository {
  find(tenantId: TenantId, userId: string): Promise<User | undefined>;
  findByEmail(tenantId: TenantId, normalizedEmail: string): Promise<User | undefined>;
  /** The token with this hash and purpose, whatever its state (the aggregate judges it). */
  findToken(tenantId: TenantId, purpose: TokenPurpose, hash: string): Promise<StoredToken | undefined>;
  findIdempotencyRecord(tenantId: TenantId, scope: string, keyHash: string): Promise<IdempotencyRecord | undefined>;
  add(user: User, ctx: RequestContext, options?: WriteOptions): Promise<void>;
  update(user: User, ctx: RequestContext, options?: WriteOptions): Promise<void>;
  /** Newest first (creation time, then id), filtered by status and role. */
  list(tenantId: TenantId, query: UserListQuery): Promise<UserPage>;
  /** By normalized email, ascending. */
  search(tenantId: TenantId, query: UserSearchQuery): Promise<UserPage>;
  /** Active users holding `role` (the last-admin rule). */
  countActiveWithRole(tenantId: TenantId, role: Role): Promise<number>;
}
