import type { Clock } from "../../../core/kit/clock.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import type { ProfileCache } from "../../../core/users/profile-cache.ts";
import type { UserView } from "../../../core/users/user-view.ts";

export interface MemoryProfileCacheOptions {
  readonly ttlMs: number;
  readonly clock: Clock;
  /** Entries kept at most; the oldest go first (default 10,000). */
  readonly maxEntries?: number;
}

/** The embedded mode's profile cache: a Map with expiry, tenant in every key, never throws. */
export function createMemoryProfileCache(options: MemoryProfileCacheOptions): ProfileCache & { readonly size: number } {
  const entries = new Map<string, { view: UserView; expiresAt: number }>();
  const maxEntries = options.maxEntries ?? 10_000;
  const keyOf = (tenantId: TenantId, userId: string) => `${tenantId}/${userId}`;
  return {
    get size() {
      return entries.size;
    },
    async get(tenantId, userId) {
      const key = keyOf(tenantId, userId);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= options.clock.now().getTime()) {
        entries.delete(key);
        return undefined;
      }
      return entry.view;
    },
    async put(tenantId, view) {
      const key = keyOf(tenantId, view.id);
      entries.delete(key);
      entries.set(key, { view, expiresAt: options.clock.now().getTime() + options.ttlMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
    async invalidate(tenantId, userId) {
      entries.delete(keyOf(tenantId, userId));
    },
  };
}
