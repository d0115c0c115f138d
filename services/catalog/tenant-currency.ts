import type { TenantId } from "../../core/kit/request-context.ts";
import type { TenantDirectory } from "../../core/kit/tenant-directory.ts";

/**
 * Catalog's `currencyOf`: the tenant's currency as the tenant directory knows it, else
 * `fallback` (`SHOPMESH_CATALOG_CURRENCY`). The mesh replica knows every tenant it lets in
 * (activity and currency come from the same TenantCreated), so the fallback serves only tenants
 * created without a currency and catalogs wired without a directory (tests, benches).
 */
export function tenantCurrency(
  directory: Pick<TenantDirectory, "currencyOf"> | undefined,
  fallback: string,
): (tenantId: TenantId) => Promise<string> {
  return async (tenantId) => (await directory?.currencyOf(tenantId)) ?? fallback;
}
