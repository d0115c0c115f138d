import type { ProductSnapshot } from "../../../core/catalog/product.ts";
import { compareStamps, type IndexStamp } from "../../../core/catalog/search-index.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { TenantByteLru } from "./tenant-byte-lru.ts";

interface Copy {
  readonly stamp: IndexStamp;
  readonly snapshot: ProductSnapshot;
}

/**
 * The search index's product copies this process has read, by tenant and product id, each with
 * the stamp it was indexed with. A copy answers only a search whose entry names exactly that
 * stamp (the entry was written from the same product state), so it is never older than the
 * postings just read; any other stamp reads the store again. Bounded by `maxBytes` (the copies'
 * JSON length), least recently used out first.
 */
export class IndexedCopies {
  readonly #copies: TenantByteLru<Copy>;

  constructor(maxBytes: number) {
    this.#copies = new TenantByteLru(maxBytes);
  }

  get(tenantId: TenantId, productId: string, stamp: IndexStamp): ProductSnapshot | undefined {
    const copy = this.#copies.peek(tenantId, productId);
    if (!copy || compareStamps(copy.stamp, stamp) !== 0) return undefined;
    return this.#copies.get(tenantId, productId)?.snapshot;
  }

  forgetTenant(tenantId: TenantId): void {
    this.#copies.forgetTenant(tenantId);
  }

  put(tenantId: TenantId, productId: string, stamp: IndexStamp, snapshot: ProductSnapshot, bytes: number): void {
    const old = this.#copies.peek(tenantId, productId);
    if (old && compareStamps(old.stamp, stamp) > 0) return; // a newer state is kept already
    this.#copies.put(tenantId, productId, { stamp, snapshot }, bytes);
  }
}
