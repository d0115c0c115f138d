import type { TenantId } from "../kit/request-context.ts";
import type { CategorySnapshot } from "./category.ts";

/**
 * The tenant's categories. `add` fails ALREADY_EXISTS for a sibling with the same slug or a
 * taken creation key (then `findByCreationKey` answers a replay); `update` and `remove` are
 * guarded by the version the caller loaded.
 */
export interface CategoryRepository {
  find(tenantId: TenantId, id: string): Promise<CategorySnapshot | undefined>;
  findByCreationKey(tenantId: TenantId, key: string): Promise<CategorySnapshot | undefined>;
  add(category: CategorySnapshot): Promise<void>;
  /** Every category of the tenant (at most 5,000). */
  list(tenantId: TenantId): Promise<CategorySnapshot[]>;
  /**
   * Stores `category` when the stored version is still `loadedVersion` (else ABORTED,
   * `CATALOG.VERSION_STALE`; ALREADY_EXISTS for a sibling's slug), then the descendants' new
   * ancestors after a move. The category write is atomic; the descendants follow one by one.
   */
  update(category: CategorySnapshot, loadedVersion: number, descendants: readonly CategorySnapshot[]): Promise<void>;
  /** Deletes when the stored version is still `loadedVersion` (else ABORTED, `CATALOG.VERSION_STALE`). */
  remove(tenantId: TenantId, id: string, loadedVersion: number): Promise<void>;
}
