import type { TenantId } from "../../../core/kit/request-context.ts";

/**
 * A process-local map by tenant and key, bounded by the bytes its callers declare per value,
 * least recently used out first. A value larger than the whole bound is not kept.
 */
export class TenantByteLru<V> {
  readonly #values = new Map<string, { readonly value: V; readonly bytes: number }>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get(tenantId: TenantId, key: string): V | undefined {
    const at = keyOf(tenantId, key);
    const kept = this.#values.get(at);
    if (!kept) return undefined;
    this.#values.delete(at); // most recently used last
    this.#values.set(at, kept);
    return kept.value;
  }

  /** The value kept, without counting as a use. */
  peek(tenantId: TenantId, key: string): V | undefined {
    return this.#values.get(keyOf(tenantId, key))?.value;
  }

  put(tenantId: TenantId, key: string, value: V, bytes: number): void {
    const at = keyOf(tenantId, key);
    const old = this.#values.get(at);
    if (old) {
      this.#values.delete(at);
      this.#bytes -= old.bytes;
    }
    if (bytes > this.#maxBytes) return;
    this.#values.set(at, { value, bytes });
    this.#bytes += bytes;
    for (const [oldest, kept] of this.#values) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#values.delete(oldest);
      this.#bytes -= kept.bytes;
    }
  }

  forgetTenant(tenantId: TenantId): void {
    const prefix = keyOf(tenantId, "");
    for (const [at, kept] of this.#values) {
      if (!at.startsWith(prefix)) continue;
      this.#values.delete(at);
      this.#bytes -= kept.bytes;
    }
  }
}

const keyOf = (tenantId: TenantId, key: string) => `${tenantId}\u001f${key}`;
