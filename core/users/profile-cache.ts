import type { TenantId } from "../kit/request-context.ts";
import type { UserView } from "./user-view.ts";

/**
 * Cache-aside copies of profiles (GetProfile), keyed by tenant and user. Best effort by
 * contract: an adapter never throws (an outage answers "not cached" and the use case reads the
 * database). Every write to a user invalidates its entry after the write committed.
 */
export interface ProfileCache {
  get(tenantId: TenantId, userId: string): Promise<UserView | undefined>;
  put(tenantId: TenantId, view: UserView): Promise<void>;
  invalidate(tenantId: TenantId, userId: string): Promise<void>;
}
