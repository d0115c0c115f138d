import { requireSelfOrRole } from "../kit/caller-guards.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { type Role, Roles } from "../kit/roles.ts";
import { type PreferencesView, viewOf } from "./user-preferences.ts";
import type { UserStatus } from "./user.ts";
import { loadUser } from "./user-store.ts";
import type { UsersDeps } from "./users-deps.ts";

export interface UserAccess {
  readonly userId: string;
  readonly status: UserStatus;
  readonly roles: readonly Role[];
  readonly emailVerified: boolean;
}

export interface ContactPreferences {
  readonly userId: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly phoneNumber: string | undefined;
  readonly displayName: string;
  readonly preferences: PreferencesView;
  readonly status: UserStatus;
}

/**
 * Internal reads (auth at login and refresh; notifications). Service callers come without an
 * end-user token and are admitted by the mesh (mTLS identity, per-path policy); a call that
 * does carry a user's token is held to that user or a tenant admin, so a customer cannot read
 * another customer's contact details through them.
 */
function requireInternalOrSelf(ctx: RequestContext, userId: string): void {
  if (ctx.caller) requireSelfOrRole(ctx, userId, Roles.tenantAdmin);
}

export async function getUserAccess(deps: UsersDeps, ctx: RequestContext, userId: string): Promise<UserAccess> {
  requireInternalOrSelf(ctx, userId);
  const user = (await loadUser(deps, ctx, userId)).snapshot();
  return { userId: user.id, status: user.status, roles: user.roles, emailVerified: user.emailVerified };
}

export async function getContactPreferences(deps: UsersDeps, ctx: RequestContext, userId: string): Promise<ContactPreferences> {
  requireInternalOrSelf(ctx, userId);
  const user = (await loadUser(deps, ctx, userId)).snapshot();
  return {
    userId: user.id,
    email: user.email,
    emailVerified: user.emailVerified,
    phoneNumber: user.phoneNumber,
    displayName: user.displayName,
    preferences: viewOf(user.preferences),
    status: user.status,
  };
}
