import type { SearchEntry } from "../../../core/catalog/search-index.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";

interface Decoded {
  readonly entries: readonly SearchEntry[];
  readonly bytes: number;
}

/**
 * Decoded shard revisions this process has read, by tenant and revision `_id`
 * (`<shard id>.<rev>`). A revision document is written once and never changed after its head
 * names it (a writer writes the next revision under a new `_id`), so a kept revision is exactly
 * what the store holds under that `_id`; which revision is current is always read from the
 * store. Bounded by `maxBytes` (the caller's estimate of each revision's heap), least recently used out first.
 */
export class DecodedShards {
  readonly #shards = new Map<string, Decoded>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get(tenantId: TenantId, revisionId: string): readonly SearchEntry[] | undefined {
    const key = keyOf(tenantId, revisionId);
    const kept = this.#shards.get(key);
    if (!kept) return undefined;
    this.#shards.delete(key); // most recently used last
    this.#shards.set(key, kept);
    return kept.entries;
  }

  put(tenantId: TenantId, revisionId: string, entries: readonly SearchEntry[], bytes: number): void {
    const key = keyOf(tenantId, revisionId);
    const old = this.#shards.get(key);
    if (old) {
      this.#shards.delete(key);
      this.#bytes -= old.bytes;
    }
    if (bytes > this.#maxBytes) return;
    this.#shards.set(key, { entries, bytes });
    this.#bytes += bytes;
    for (const [oldest, kept] of this.#shards) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#shards.delete(oldest);
      this.#bytes -= kept.bytes;
    }
  }

  forgetTenant(tenantId: TenantId): void {
    const prefix = keyOf(tenantId, "");
    for (const [key, kept] of this.#shards) {
      if (!key.startsWith(prefix)) continue;
      this.#shards.delete(key);
      this.#bytes -= kept.bytes;
    }
  }
}

const keyOf = (tenantId: TenantId, revisionId: string) => `${tenantId}\u001f${revisionId}`;
