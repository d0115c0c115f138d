import type { SqlEntityManager } from "@mikro-orm/sql";
import type { TenantId } from "../../../core/kit/request-context.ts";
import type { TaxRate } from "../../../core/cart/tax-rate.ts";
import {
  compareTaxRateKeys,
  type TaxRateKey,
  type TaxRatePageQuery,
  type TaxRateRepository,
} from "../../../core/cart/tax-rate-repository.ts";
import { TaxRateRecord } from "./cart-pricing-records.ts";

const READ = { disableIdentityMap: true } as const;

/**
 * Tax rates in MariaDB or SQLite. A list reads the tenant's rates (of the country) and orders
 * them in code-unit order here, the same in every store whatever the collation; a tenant has
 * rates per country, area and class: hundreds, not millions.
 */
export class MikroOrmTaxRateRepository implements TaxRateRepository {
  readonly #em: SqlEntityManager;

  constructor(em: SqlEntityManager) {
    this.#em = em;
  }

  async ratesFor(tenantId: TenantId, countryCode: string): Promise<readonly TaxRate[]> {
    const rows = await this.#em.fork().find(TaxRateRecord, { tenantId, countryCode }, READ);
    return rows.map(toRate);
  }

  async put(tenantId: TenantId, rate: TaxRate): Promise<void> {
    await this.#em.fork().upsert(TaxRateRecord, { tenantId, ...rate });
  }

  async remove(tenantId: TenantId, key: TaxRateKey): Promise<boolean> {
    return (await this.#em.fork().nativeDelete(TaxRateRecord, { tenantId, ...key })) > 0;
  }

  async list(tenantId: TenantId, query: TaxRatePageQuery): Promise<readonly TaxRate[]> {
    const rows = await this.#em
      .fork()
      .find(TaxRateRecord, { tenantId, ...(query.countryCode ? { countryCode: query.countryCode } : {}) }, READ);
    const after = query.after;
    return rows
      .map(toRate)
      .filter((rate) => !after || compareTaxRateKeys(rate, after) > 0)
      .sort(compareTaxRateKeys)
      .slice(0, query.limit);
  }
}

const toRate = (row: TaxRate): TaxRate => ({
  countryCode: row.countryCode,
  administrativeArea: row.administrativeArea,
  taxClass: row.taxClass,
  ratePpm: row.ratePpm,
});
