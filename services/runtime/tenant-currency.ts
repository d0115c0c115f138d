import type { TenantId } from "../../core/kit/request-context.ts";
import type { TenantDirectory } from "../../core/kit/tenant-directory.ts";

/**
 * A context's `currencyOf` (catalog prices, cart totals and promotions): the tenant's currency as
 * the tenant directory knows it, else `fallback` (`SHOPMESH_CATALOG_CURRENCY`,
 * `SHOPMESH_CART_CURRENCY`). The mesh replica knows every tenant it lets in (activity and
 * currency come from the same TenantCreated), so the fallback serves only tenants created
 * without a currency and contexts wired without a directory (tests, benches).
 */
export function tenantCurrency(
  directory: Pick<TenantDirectory, "currencyOf"> | undefined,
  fallback: string,
): (tenantId: TenantId) => Promise<string> {
  return async (tenantId) => (await directory?.currencyOf(tenantId)) ?? fallback;
}
