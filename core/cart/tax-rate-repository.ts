import type { TenantId } from "../kit/request-context.ts";
import type { TaxRate } from "./tax-rate.ts";

/** What identifies a rate in a tenant. */
export type TaxRateKey = Pick<TaxRate, "countryCode" | "administrativeArea" | "taxClass">;

/** One page of rates ordered by country, area, class. */
export interface TaxRatePageQuery {
  /** Only this country; undefined for all. */
  readonly countryCode: string | undefined;
  /** The last key of the previous page. */
  readonly after: TaxRateKey | undefined;
  readonly limit: number;
}

/** A tenant's tax rates, one per (country, area, class). */
export interface TaxRateRepository {
  /** Every rate of the tenant in that country (country-wide and per area). */
  ratesFor(tenantId: TenantId, countryCode: string): Promise<readonly TaxRate[]>;
  /** Creates or replaces the rate of its key. */
  put(tenantId: TenantId, rate: TaxRate): Promise<void>;
  /** False when there was no such rate. */
  remove(tenantId: TenantId, key: TaxRateKey): Promise<boolean>;
  list(tenantId: TenantId, query: TaxRatePageQuery): Promise<readonly TaxRate[]>;
}

/** The order of ListTaxRates: country, area, class (code-unit order, the same in every store). */
export function compareTaxRateKeys(a: TaxRateKey, b: TaxRateKey): number {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return cmp(a.countryCode, b.countryCode) || cmp(a.administrativeArea, b.administrativeArea) || cmp(a.taxClass, b.taxClass);
}
