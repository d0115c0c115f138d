import type { ProductSnapshot } from "../../../core/catalog/product.ts";
import { compareStamps, type IndexStamp } from "../../../core/catalog/search-index.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";

interface Copy {
  readonly stamp: IndexStamp;
  readonly snapshot: ProductSnapshot;
  readonly bytes: number;
}

/**
 * The search index's product copies this process has read, by tenant and product id, each with
 * the stamp it was indexed with. A copy answers only a search whose entry names exactly that
 * stamp (the entry was written from the same product state), so it is never older than the
 * postings just read; any other stamp reads the store again. Bounded by `maxBytes` (the copies'
 * JSON length), least recently used out first.
 */
export class IndexedCopies {
  readonly #copies = new Map<string, Copy>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get(tenantId: TenantId, productId: string, stamp: IndexStamp): ProductSnapshot | undefined {
    const key = keyOf(tenantId, productId);
    const copy = this.#copies.get(key);
    if (!copy || compareStamps(copy.stamp, stamp) !== 0) return undefined;
    this.#copies.delete(key); // most recently used last
    this.#copies.set(key, copy);
    return copy.snapshot;
  }

  forgetTenant(tenantId: TenantId): void {
    const prefix = keyOf(tenantId, "");
    for (const [key, copy] of this.#copies) {
      if (!key.startsWith(prefix)) continue;
      this.#copies.delete(key);
      this.#bytes -= copy.bytes;
    }
  }

  put(tenantId: TenantId, productId: string, stamp: IndexStamp, snapshot: ProductSnapshot, bytes: number): void {
    const key = keyOf(tenantId, productId);
    const old = this.#copies.get(key);
    if (old) {
      if (compareStamps(old.stamp, stamp) > 0) return; // a newer state is kept already
      this.#copies.delete(key);
      this.#bytes -= old.bytes;
    }
    if (bytes > this.#maxBytes) return;
    this.#copies.set(key, { stamp, snapshot, bytes });
    this.#bytes += bytes;
    for (const [oldest, copy] of this.#copies) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#copies.delete(oldest);
      this.#bytes -= copy.bytes;
    }
  }
}

const keyOf = (tenantId: TenantId, productId: string) => `${tenantId}\u001f${productId}`;
