import { requireCaller } from "../kit/caller-guards.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { parseDisplayName, parsePhoneNumber } from "./user-fields.ts";
import { changeUser, loadUser } from "./user-store.ts";
import { toView, type UserView } from "./user-view.ts";
import type { UsersDeps } from "./users-deps.ts";

/** The caller's own user, from the cache when it holds it (cache-aside; an outage reads the database). */
export async function getProfile(deps: UsersDeps, ctx: RequestContext): Promise<UserView> {
  const caller = requireCaller(ctx);
  const cached = await deps.cache.get(ctx.tenantId, caller.userId);
  if (cached) return cached;
  const view = toView((await loadUser(deps, ctx, caller.userId)).snapshot());
  await deps.cache.put(ctx.tenantId, view);
  return view;
}

export interface ProfilePatch {
  readonly displayName?: string | undefined;
  /** Empty removes the number. */
  readonly phoneNumber?: string | undefined;
}

/** Changes the fields that are set; UserProfileUpdated when anything changed. */
export async function updateProfile(deps: UsersDeps, ctx: RequestContext, patch: ProfilePatch): Promise<UserView> {
  const caller = requireCaller(ctx);
  const displayName = patch.displayName === undefined ? undefined : parseDisplayName(patch.displayName);
  const phoneNumber = patch.phoneNumber === undefined ? undefined : (parsePhoneNumber(patch.phoneNumber) ?? null);
  const { user } = await changeUser(deps, ctx, caller.userId, (u) =>
    u.updateProfile({ displayName, phoneNumber }, deps.clock.now()),
  );
  return toView(user.snapshot());
}
