import type { TenantId } from "../kit/request-context.ts";
import type { CategorySnapshot } from "./category.ts";

/**
 * The tenant's categories. `add` fails ALREADY_EXISTS for a sibling with the same slug or a
 * taken creation key (then `findByCreationKey` answers a replay).
 */
export interface CategoryRepository {
  find(tenantId: TenantId, id: string): Promise<CategorySnapshot | undefined>;
  findByCreationKey(tenantId: TenantId, key: string): Promise<CategorySnapshot | undefined>;
  add(category: CategorySnapshot): Promise<void>;
  /** Every category of the tenant (at most 5,000). */
  list(tenantId: TenantId): Promise<CategorySnapshot[]>;
}
