import type { SearchEntry } from "../../../core/catalog/search-index.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { TenantByteLru } from "./tenant-byte-lru.ts";

/**
 * Decoded shard revisions this process has read, by tenant and revision `_id`
 * (`<shard id>.<rev>`). A revision document is written once and never changed after its head
 * names it (a writer writes the next revision under a new `_id`), so a kept revision is exactly
 * what the store holds under that `_id`; which revision is current is always read from the
 * store. Bounded by `maxBytes` (the caller's estimate of each revision's heap), least recently used out first.
 */
export class DecodedShards {
  readonly #shards: TenantByteLru<readonly SearchEntry[]>;

  constructor(maxBytes: number) {
    this.#shards = new TenantByteLru(maxBytes);
  }

  get(tenantId: TenantId, revisionId: string): readonly SearchEntry[] | undefined {
    return this.#shards.get(tenantId, revisionId);
  }

  put(tenantId: TenantId, revisionId: string, entries: readonly SearchEntry[], bytes: number): void {
    this.#shards.put(tenantId, revisionId, entries, bytes);
  }

  forgetTenant(tenantId: TenantId): void {
    this.#shards.forgetTenant(tenantId);
  }
}
