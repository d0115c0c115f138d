import { allocateProRata, mulDivHalfEven } from "./minor-units.ts";
import type { PromotionDefinition } from "./promotion.ts";
import { type TaxDestination, type TaxRate, taxRateFor } from "./tax-rate.ts";

/** One line as pricing sees it: a unit price in minor units and a quantity. */
export interface PricingLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
  readonly taxClass: string;
}

export interface PricedLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
  /** unit price x quantity. */
  readonly subtotalMinor: number;
  /** Sum of the promotions' shares on this line; never above the subtotal. */
  readonly discountMinor: number;
  /** On (subtotal - discount), rounded half-even per line; 0 without a destination. */
  readonly taxMinor: number;
  /** subtotal - discount + tax. */
  readonly totalMinor: number;
}

export interface PricedPromotion {
  readonly code: string;
  readonly description: string;
  readonly discountMinor: number;
}

export interface PricedCart {
  readonly lines: readonly PricedLine[];
  readonly promotions: readonly PricedPromotion[];
  readonly subtotalMinor: number;
  readonly discountTotalMinor: number;
  readonly taxTotalMinor: number;
  /** subtotal - discount + tax. */
  readonly totalMinor: number;
}

export interface PricingInput {
  readonly lines: readonly PricingLine[];
  /** Promotions found applicable, in the order they were applied. */
  readonly promotions: readonly PromotionDefinition[];
  /** Tax is computed only with a destination (at checkout); a cart shows 0. */
  readonly tax?: { readonly rates: readonly TaxRate[]; readonly destination: TaxDestination } | undefined;
}

/**
 * Prices a cart exactly, in integer minor units. The rules:
 * - line subtotal = unit price x quantity; cart subtotal = sum of line subtotals;
 * - promotions apply in order, each on what earlier ones left of every line (so a line never
 *   goes below zero):
 *   - percentage: per eligible line, remaining x basis points / 10,000, rounded half-even;
 *   - fixed amount: min(amount, eligible remaining), spread over eligible lines pro rata to their
 *     remaining amounts (floors, then leftover units to the largest remainders, earlier line first);
 *   - buy X get Y: eligible units sorted by unit price, dearest first (ties: earlier line);
 *     for every full group of X + Y units, the Y cheapest units of the cart's eligible units get
 *     unit price x basis points / 10,000 (half-even per unit) off, capped by the line's remaining;
 * - tax per line on (subtotal - discount) x rate ppm / 1,000,000, rounded half-even; the rate of
 *   the line's tax class at the destination (most specific region wins; none = 0);
 * - total = subtotal - discounts + tax.
 */
export function priceCart(input: PricingInput): PricedCart {
  const subtotals = input.lines.map((line) => line.unitPriceMinor * line.quantity);
  const discounts = input.lines.map(() => 0);
  const promotions: PricedPromotion[] = [];
  for (const promotion of input.promotions) {
    const remaining = subtotals.map((s, i) => s - (discounts[i] ?? 0));
    const eligible = input.lines.map((line) => promotion.eligibleSkus.length === 0 || promotion.eligibleSkus.includes(line.sku));
    const shares = promotionShares(promotion, input.lines, remaining, eligible);
    let total = 0;
    shares.forEach((share, i) => {
      const capped = Math.min(share, remaining[i] ?? 0);
      discounts[i] = (discounts[i] ?? 0) + capped;
      total += capped;
    });
    promotions.push({ code: promotion.code, description: promotion.description, discountMinor: total });
  }
  const lines = input.lines.map((line, i): PricedLine => {
    const subtotalMinor = subtotals[i] ?? 0;
    const discountMinor = discounts[i] ?? 0;
    const taxable = subtotalMinor - discountMinor;
    const taxMinor = input.tax
      ? mulDivHalfEven(taxable, taxRateFor(input.tax.rates, input.tax.destination, line.taxClass), 1_000_000)
      : 0;
    return {
      sku: line.sku,
      quantity: line.quantity,
      unitPriceMinor: line.unitPriceMinor,
      subtotalMinor,
      discountMinor,
      taxMinor,
      totalMinor: taxable + taxMinor,
    };
  });
  const sum = (pick: (line: PricedLine) => number) => lines.reduce((a, line) => a + pick(line), 0);
  const subtotalMinor = sum((l) => l.subtotalMinor);
  const discountTotalMinor = sum((l) => l.discountMinor);
  const taxTotalMinor = sum((l) => l.taxMinor);
  return {
    lines,
    promotions,
    subtotalMinor,
    discountTotalMinor,
    taxTotalMinor,
    totalMinor: subtotalMinor - discountTotalMinor + taxTotalMinor,
  };
}

function promotionShares(
  promotion: PromotionDefinition,
  lines: readonly PricingLine[],
  remaining: readonly number[],
  eligible: readonly boolean[],
): number[] {
  const benefit = promotion.benefit;
  switch (benefit.kind) {
    case "percentage_off":
      return remaining.map((r, i) => (eligible[i] ? mulDivHalfEven(r, benefit.basisPoints, 10_000) : 0));
    case "fixed_amount_off": {
      const weights = remaining.map((r, i) => (eligible[i] ? r : 0));
      const base = weights.reduce((a, b) => a + b, 0);
      return allocateProRata(Math.min(benefit.amountMinor, base), weights);
    }
    case "buy_x_get_y": {
      const units = lines
        .flatMap((line, i) => (eligible[i] ? [{ index: i, price: line.unitPriceMinor, quantity: line.quantity }] : []))
        .sort((a, b) => b.price - a.price || a.index - b.index);
      const count = units.reduce((a, u) => a + u.quantity, 0);
      let discounted = Math.floor(count / (benefit.buyQuantity + benefit.getQuantity)) * benefit.getQuantity;
      const shares = lines.map(() => 0);
      for (let u = units.length - 1; u >= 0 && discounted > 0; u--) {
        const unit = units[u];
        if (!unit) continue;
        const n = Math.min(unit.quantity, discounted);
        shares[unit.index] = (shares[unit.index] ?? 0) + n * mulDivHalfEven(unit.price, benefit.discountBasisPoints, 10_000);
        discounted -= n;
      }
      return shares;
    }
  }
}
