import type { TenantId } from "../../../core/kit/request-context.ts";
import type { TaxRate } from "../../../core/cart/tax-rate.ts";
import {
  compareTaxRateKeys,
  type TaxRateKey,
  type TaxRatePageQuery,
  type TaxRateRepository,
} from "../../../core/cart/tax-rate-repository.ts";

const keyOf = (tenantId: TenantId, k: TaxRateKey) => JSON.stringify([tenantId, k.countryCode, k.administrativeArea, k.taxClass]);

/** Tax rates in a Map. */
export class MemoryTaxRateRepository implements TaxRateRepository {
  readonly #rates = new Map<string, { tenantId: TenantId; rate: TaxRate }>();

  async ratesFor(tenantId: TenantId, countryCode: string): Promise<readonly TaxRate[]> {
    return [...this.#rates.values()]
      .filter((r) => r.tenantId === tenantId && r.rate.countryCode === countryCode)
      .map((r) => r.rate);
  }

  async put(tenantId: TenantId, rate: TaxRate): Promise<void> {
    this.#rates.set(keyOf(tenantId, rate), { tenantId, rate: { ...rate } });
  }

  async remove(tenantId: TenantId, key: TaxRateKey): Promise<boolean> {
    return this.#rates.delete(keyOf(tenantId, key));
  }

  async list(tenantId: TenantId, query: TaxRatePageQuery): Promise<readonly TaxRate[]> {
    const after = query.after;
    return [...this.#rates.values()]
      .filter((r) => r.tenantId === tenantId && (query.countryCode === undefined || r.rate.countryCode === query.countryCode))
      .map((r) => r.rate)
      .filter((rate) => !after || compareTaxRateKeys(rate, after) > 0)
      .sort(compareTaxRateKeys)
      .slice(0, query.limit);
  }
}
