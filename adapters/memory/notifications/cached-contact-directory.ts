import type { Clock } from "../../../core/kit/clock.ts";
import type { Contact, ContactDirectory } from "../../../core/notifications/ports.ts";

/**
 * Keeps the directory's answers briefly (tenant in the key, bounded, oldest dropped), so a burst
 * of events for one user asks users once. A preference change reaches notifications within
 * `ttlMs` at worst.
 */
export function cachedContactDirectory(
  inner: ContactDirectory,
  options: { ttlMs: number; clock: Clock; maxEntries?: number },
): ContactDirectory & { readonly size: number; clear(): void } {
  const entries = new Map<string, { contact: Contact | undefined; expiresAt: number }>();
  const maxEntries = options.maxEntries ?? 10_000;
  return {
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
    async find(ctx, userId) {
      const key = `${ctx.tenantId}/${userId}`;
      const now = options.clock.now().getTime();
      const hit = entries.get(key);
      if (hit && hit.expiresAt > now) return hit.contact;
      const contact = await inner.find(ctx, userId);
      entries.delete(key);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { contact, expiresAt: now + options.ttlMs });
      return contact;
    },
  };
}
