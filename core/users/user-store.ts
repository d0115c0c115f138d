import { isDomainError } from "../kit/domain-error.ts";
import type { RequestContext } from "../kit/request-context.ts";
import type { User } from "./user.ts";
import { userErrors } from "./user-errors.ts";
import type { WriteOptions } from "./user-repository.ts";
import type { UsersDeps } from "./users-deps.ts";

/** The caller's tenant's user, or NOT_FOUND (also for another tenant's id: no existence leak). */
export async function loadUser(deps: Pick<UsersDeps, "users">, ctx: RequestContext, userId: string): Promise<User> {
  const user = await deps.users.find(ctx.tenantId, userId);
  if (!user) throw userErrors.notFound(userId);
  return user;
}

/** Stores a changed user (state, tokens, events, idempotency record together), then drops its cached profile. */
export async function saveUser(
  deps: Pick<UsersDeps, "users" | "cache">,
  user: User,
  ctx: RequestContext,
  options?: WriteOptions,
): Promise<void> {
  if (!user.hasChanges && !options?.idempotency) return;
  await deps.users.update(user, ctx, options);
  await deps.cache.invalidate(user.tenantId, user.id);
}

const ATTEMPTS = 3;

/**
 * Runs `attempt` (which loads, changes and saves) again when it lost a race to another writer
 * of the same user: each attempt starts from a fresh read, so the rules are checked against the
 * state that won. After a few lost races the conflict goes to the caller (ABORTED).
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= ATTEMPTS || !isDomainError(error) || error.kind !== "conflict") throw error;
    }
  }
}

/** Loads the user, applies `change`, saves; retried on a lost race. Returns what `change` returns. */
export function changeUser<T>(
  deps: Pick<UsersDeps, "users" | "cache">,
  ctx: RequestContext,
  userId: string,
  change: (user: User) => T,
): Promise<{ user: User; result: T }> {
  return retryOnConflict(async () => {
    const user = await loadUser(deps, ctx, userId);
    const result = change(user);
    await saveUser(deps, user, ctx);
    return { user, result };
  });
}
