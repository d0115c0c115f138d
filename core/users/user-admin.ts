import { requireRole } from "../kit/caller-guards.ts";
import { invalidField, permissionDenied } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { type Role, Roles } from "../kit/roles.ts";
import { searchText } from "./search-text.ts";
import type { UserStatus } from "./user.ts";
import { userErrors } from "./user-errors.ts";
import { parseReason } from "./user-fields.ts";
import { changeUser, loadUser, retryOnConflict, saveUser } from "./user-store.ts";
import { toView, type UserView } from "./user-view.ts";
import type { UserPage } from "./user-repository.ts";
import type { UsersDeps } from "./users-deps.ts";

export const DEFAULT_LIST_PAGE_SIZE = 50;
export const DEFAULT_SEARCH_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface UsersPageView {
  readonly users: UserView[];
  readonly nextPageToken: string | undefined;
}

/** One user of the caller's tenant. Tenant admins only. */
export async function getUser(deps: UsersDeps, ctx: RequestContext, userId: string): Promise<UserView> {
  requireRole(ctx, Roles.tenantAdmin);
  return toView((await loadUser(deps, ctx, userId)).snapshot());
}

export async function listUsers(
  deps: UsersDeps,
  ctx: RequestContext,
  query: {
    status?: UserStatus | undefined;
    role?: Role | undefined;
    pageSize?: number | undefined;
    pageToken?: string | undefined;
  },
): Promise<UsersPageView> {
  requireRole(ctx, Roles.tenantAdmin);
  const pageSize = pageSizeOf(query.pageSize, DEFAULT_LIST_PAGE_SIZE);
  return pageView(await deps.users.list(ctx.tenantId, { ...query, pageSize }));
}

/** Users whose email or display name starts with `query` (literally; case and accents ignored). */
export async function searchUsers(
  deps: UsersDeps,
  ctx: RequestContext,
  query: { query: string; pageSize?: number | undefined; pageToken?: string | undefined },
): Promise<UsersPageView> {
  requireRole(ctx, Roles.tenantAdmin);
  const prefix = searchText(query.query.trim());
  if (prefix.length === 0) throw invalidField("query", "required");
  if ([...prefix].length > 100) throw invalidField("query", "at most 100 characters");
  const pageSize = pageSizeOf(query.pageSize, DEFAULT_SEARCH_PAGE_SIZE);
  return pageView(await deps.users.search(ctx.tenantId, { prefix, pageSize, pageToken: query.pageToken }));
}

/** Disables a user (auth revokes their sessions on UserDisabled). Idempotent; never oneself. */
export async function disableUser(deps: UsersDeps, ctx: RequestContext, userId: string, reasonInput: string): Promise<UserView> {
  const caller = requireRole(ctx, Roles.tenantAdmin);
  const reason = parseReason(reasonInput);
  if (caller.userId === userId) throw userErrors.cannotDisableSelf();
  const { user } = await changeUser(deps, ctx, userId, (u) => u.disable(reason, deps.clock.now()));
  return toView(user.snapshot());
}

export async function enableUser(deps: UsersDeps, ctx: RequestContext, userId: string): Promise<UserView> {
  requireRole(ctx, Roles.tenantAdmin);
  const { user } = await changeUser(deps, ctx, userId, (u) => u.enable(deps.clock.now()));
  return toView(user.snapshot());
}

/**
 * Replaces a user's roles. A tenant admin cannot hand out the platform operator role, nor take
 * the admin role from the tenant's last active admin. (Two admins demoting each other at the
 * same instant can both pass the count; the window is one round trip.)
 */
export async function setUserRoles(
  deps: UsersDeps,
  ctx: RequestContext,
  userId: string,
  roles: readonly Role[],
): Promise<UserView> {
  requireRole(ctx, Roles.tenantAdmin);
  if (roles.includes(Roles.platformOperator)) throw permissionDenied("platform_operator is granted by the platform only");
  return retryOnConflict(async () => {
    const user = await loadUser(deps, ctx, userId);
    const losesAdmin = user.isActive && user.hasRole(Roles.tenantAdmin) && !roles.includes(Roles.tenantAdmin);
    if (losesAdmin && (await deps.users.countActiveWithRole(ctx.tenantId, Roles.tenantAdmin)) <= 1) throw userErrors.lastAdmin();
    user.setRoles(roles, deps.clock.now());
    await saveUser(deps, user, ctx);
    return toView(user.snapshot());
  });
}

function pageSizeOf(requested: number | undefined, fallback: number): number {
  return Math.min(requested && requested > 0 ? requested : fallback, MAX_PAGE_SIZE);
}

function pageView(page: UserPage): UsersPageView {
  return { users: page.users.map((u) => toView(u.snapshot())), nextPageToken: page.nextPageToken };
}
