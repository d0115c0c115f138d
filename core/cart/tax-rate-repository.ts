import type { TenantId } from "../kit/request-context.ts";
import type { TaxRate } from "./tax-rate.ts";

/** A tenant's tax rates. */
export interface TaxRateRepository {
  /** Every rate of the tenant in that country (country-wide and per area). */
  ratesFor(tenantId: TenantId, countryCode: string): Promise<readonly TaxRate[]>;
}
