import type { RequestContext, TenantId } from "../kit/request-context.ts";
import type { Tenant, TenantStatus } from "./tenant.ts";

export interface TenantPage {
  readonly tenants: readonly Tenant[];
  /** Opaque; absent on the last page. */
  readonly nextPageToken: string | undefined;
}

/**
 * Where tenants live. `add` and `update` store the tenant's pending events with it, atomically.
 * `add` fails ALREADY_EXISTS for a taken id; `update` fails ABORTED when the stored version moved on.
 */
export interface TenantRepository {
  find(id: TenantId): Promise<Tenant | undefined>;
  add(tenant: Tenant, ctx: RequestContext): Promise<void>;
  update(tenant: Tenant, ctx: RequestContext): Promise<void>;
  list(query: { readonly status?: TenantStatus; readonly pageSize: number; readonly pageToken?: string }): Promise<TenantPage>;
}
