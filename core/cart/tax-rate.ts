import { invalidField } from "../kit/domain-error.ts";

/** The rate of one tax class in one region, in parts per million (88750 = 8.875%). */
export interface TaxRate {
  /** ISO 3166-1 alpha-2. */
  readonly countryCode: string;
  /** "" for the whole country. */
  readonly administrativeArea: string;
  readonly taxClass: string;
  readonly ratePpm: number;
}

/** Where an order ships: what decides its tax. */
export interface TaxDestination {
  readonly countryCode: string;
  readonly administrativeArea: string;
}

const COUNTRY = /^[A-Z]{2}$/;
const TAX_CLASS = /^[a-z][a-z0-9_-]{0,31}$/;

export function validTaxRate(rate: TaxRate): TaxRate {
  if (!COUNTRY.test(rate.countryCode)) throw invalidField("tax_rate.country_code", "ISO 3166-1 alpha-2, upper-case");
  if (rate.administrativeArea.length > 100) throw invalidField("tax_rate.administrative_area", "at most 100 characters");
  if (!TAX_CLASS.test(rate.taxClass)) throw invalidField("tax_rate.tax_class", "a lower-case slug");
  if (!Number.isInteger(rate.ratePpm) || rate.ratePpm < 0 || rate.ratePpm > 1_000_000) {
    throw invalidField("tax_rate.rate_ppm", "0 to 1000000");
  }
  // Areas compare case-insensitively, so they are stored upper-cased: one rate per area.
  return { ...rate, administrativeArea: rate.administrativeArea.trim().toUpperCase() };
}

/**
 * The rate for a class at a destination: the most specific wins, (country, area) over
 * (country, ""); areas compare case-insensitively. No rate at all means 0 (untaxed).
 */
export function taxRateFor(rates: readonly TaxRate[], destination: TaxDestination, taxClass: string): number {
  const area = destination.administrativeArea.trim().toUpperCase();
  let countryWide: number | undefined;
  for (const rate of rates) {
    if (rate.countryCode !== destination.countryCode || rate.taxClass !== taxClass) continue;
    if (rate.administrativeArea === "") countryWide = rate.ratePpm;
    else if (area !== "" && rate.administrativeArea.toUpperCase() === area) return rate.ratePpm;
  }
  return countryWide ?? 0;
}
