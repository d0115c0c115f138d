import { requireCaller } from "../kit/caller-guards.ts";
import type { RequestContext } from "../kit/request-context.ts";
import { type ChannelChoice, effectiveChoices } from "./preferences.ts";
import { parseLocale } from "./user-fields.ts";
import { changeUser, loadUser } from "./user-store.ts";
import type { UsersDeps } from "./users-deps.ts";

/** Preferences as answered: the locale and every channel x category pair, defaults applied. */
export interface PreferencesView {
  readonly locale: string;
  readonly choices: readonly ChannelChoice[];
}

export async function getPreferences(deps: UsersDeps, ctx: RequestContext): Promise<PreferencesView> {
  const caller = requireCaller(ctx);
  return viewOf((await loadUser(deps, ctx, caller.userId)).snapshot().preferences);
}

/** Changes the locale when set and the listed pairs; UserPreferencesUpdated when anything changed. */
export async function updatePreferences(
  deps: UsersDeps,
  ctx: RequestContext,
  patch: { readonly locale?: string | undefined; readonly choices: readonly ChannelChoice[] },
): Promise<PreferencesView> {
  const caller = requireCaller(ctx);
  const locale = patch.locale === undefined ? undefined : parseLocale(patch.locale);
  const { user } = await changeUser(deps, ctx, caller.userId, (u) =>
    u.updatePreferences({ locale, choices: patch.choices }, deps.clock.now()),
  );
  return viewOf(user.snapshot().preferences);
}

export function viewOf(preferences: { readonly locale: string; readonly choices: readonly ChannelChoice[] }): PreferencesView {
  return { locale: preferences.locale, choices: effectiveChoices(preferences) };
}
