import { invalidField } from "./domain-error.ts";

/** An amount in integer minor units (cents) of one ISO 4217 currency. Never a float. */
export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

const CURRENCY = /^[A-Z]{3}$/;

export function money(amountMinor: number, currency: string, field = "money"): Money {
  if (!Number.isSafeInteger(amountMinor)) throw invalidField(`${field}.amount`, "must be a whole number of minor units");
  if (!CURRENCY.test(currency)) throw invalidField(`${field}.currency`, "must be an ISO 4217 code such as EUR");
  return { amountMinor, currency };
}

export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amountMinor + b.amountMinor, a.currency);
}

export function multiplyMoney(a: Money, factor: number): Money {
  if (!Number.isSafeInteger(factor)) throw new RangeError(`factor must be an integer, got ${factor}`);
  return money(a.amountMinor * factor, a.currency);
}

export function zeroMoney(currency: string): Money {
  return money(0, currency);
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new RangeError(`currency mismatch: ${a.currency} vs ${b.currency}`);
}
