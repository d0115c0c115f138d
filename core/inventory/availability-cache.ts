import type { TenantId } from "../kit/request-context.ts";

export interface CachedAvailability {
  readonly sku: string;
  readonly available: number;
  readonly restockThreshold: number;
}

/**
 * A short-lived copy of availability for reads (BatchGetAvailability). A hint only: every
 * reservation decides on the locked database rows. Implementations never throw: a failed read
 * is a miss, a failed write is skipped.
 */
export interface AvailabilityCache {
  getMany(tenantId: TenantId, skus: readonly string[]): Promise<Map<string, CachedAvailability>>;
  putMany(tenantId: TenantId, entries: readonly CachedAvailability[]): Promise<void>;
  /** Called after a commit that changed these SKUs. */
  invalidate(tenantId: TenantId, skus: readonly string[]): Promise<void>;
}
