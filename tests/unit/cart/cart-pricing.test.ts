import { describe, expect, it } from "vitest";
import { type PricingLine, priceCart } from "../../../core/cart/cart-pricing.ts";
import { allocateProRata, mulDivHalfEven } from "../../../core/cart/minor-units.ts";
import type { PromotionBenefit, PromotionDefinition } from "../../../core/cart/promotion.ts";
import type { TaxRate } from "../../../core/cart/tax-rate.ts";

function aPromotion(code: string, benefit: PromotionBenefit, overrides: Partial<PromotionDefinition> = {}): PromotionDefinition {
  return {
    code,
    description: `promotion ${code}`,
    benefit,
    eligibleSkus: [],
    minimumSubtotalMinor: 0,
    startsAt: undefined,
    endsAt: undefined,
    maxRedemptions: 0,
    maxRedemptionsPerUser: 0,
    stackable: false,
    ...overrides,
  };
}

const percent = (basisPoints: number, eligibleSkus: string[] = []) =>
  aPromotion(`PCT${basisPoints}`, { kind: "percentage_off", basisPoints }, { eligibleSkus });
const fixed = (amountMinor: number, eligibleSkus: string[] = []) =>
  aPromotion(`FIX${amountMinor}`, { kind: "fixed_amount_off", amountMinor }, { eligibleSkus });
const buyGet = (buyQuantity: number, getQuantity: number, discountBasisPoints: number, eligibleSkus: string[] = []) =>
  aPromotion("BXGY", { kind: "buy_x_get_y", buyQuantity, getQuantity, discountBasisPoints }, { eligibleSkus });

// A: 1999 x 2 = 3998 (standard), B: 500 x 3 = 1500 (reduced), C: 250 x 1 = 250 (standard). Subtotal 5748.
const lines: PricingLine[] = [
  { sku: "A", quantity: 2, unitPriceMinor: 1999, taxClass: "standard" },
  { sku: "B", quantity: 3, unitPriceMinor: 500, taxClass: "reduced" },
  { sku: "C", quantity: 1, unitPriceMinor: 250, taxClass: "standard" },
];

const rates: TaxRate[] = [
  { countryCode: "DE", administrativeArea: "", taxClass: "standard", ratePpm: 190_000 },
  { countryCode: "DE", administrativeArea: "", taxClass: "reduced", ratePpm: 70_000 },
  { countryCode: "US", administrativeArea: "", taxClass: "standard", ratePpm: 50_000 },
  { countryCode: "US", administrativeArea: "CA", taxClass: "standard", ratePpm: 72_500 },
];
const to = (countryCode: string, administrativeArea = "") => ({ rates, destination: { countryCode, administrativeArea } });

describe("minor-unit arithmetic", () => {
  it.each([
    [5, 1, 10, 0],
    [15, 1, 10, 2],
    [25, 1, 10, 2],
    [35, 1, 10, 4],
    [-25, 1, 10, -2],
    [1999, 1500, 10_000, 300],
    [1000, 88_750, 1_000_000, 89],
    [1050, 50_000, 1_000_000, 52],
    [1150, 50_000, 1_000_000, 58],
    [9_007_199_254_740_991, 1, 1, 9_007_199_254_740_991],
  ])("when %i x %i / %i is rounded half-even, then it is %i", (amount, num, den, expected) => {
    expect(mulDivHalfEven(amount, num, den)).toBe(expected);
  });

  it.each([
    [100, [1, 1, 1], [34, 33, 33]],
    [10, [0, 5, 5], [0, 5, 5]],
    [7, [3, 3], [4, 3]],
    [1000, [3998, 1500, 250], [696, 261, 43]],
    [5, [0, 0], [0, 0]],
  ])("when %i is spread over %j, then the shares are %j and sum exactly", (total, weights, expected) => {
    const shares = allocateProRata(total, weights);
    expect(shares).toEqual(expected);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(weights.some((w) => w > 0) ? total : 0);
  });
});

describe("cart pricing (exact minor units)", () => {
  it.each([
    { name: "no promotion", promotions: [], discounts: [0, 0, 0], total: 5748 },
    { name: "15% off everything (C: 37.5 -> 38)", promotions: [percent(1500)], discounts: [600, 225, 38], total: 4885 },
    { name: "10% off B only", promotions: [percent(1000, ["B"])], discounts: [0, 150, 0], total: 5598 },
    { name: "100% off everything", promotions: [percent(10_000)], discounts: [3998, 1500, 250], total: 0 },
    { name: "1000 off, pro rata (largest remainders B, A)", promotions: [fixed(1000)], discounts: [696, 261, 43], total: 4748 },
    { name: "10000 off C only: capped at the line", promotions: [fixed(10_000, ["C"])], discounts: [0, 0, 250], total: 5498 },
    {
      name: "buy 2 get 1 free: the 2 cheapest of 6 units",
      promotions: [buyGet(2, 1, 10_000)],
      discounts: [0, 500, 250],
      total: 4998,
    },
    {
      name: "buy 1 get 1 half price on B: 1 of 3 units",
      promotions: [buyGet(1, 1, 5000, ["B"])],
      discounts: [0, 250, 0],
      total: 5498,
    },
    {
      name: "stacked: 10% then 500 off what is left",
      promotions: [percent(1000), fixed(500)],
      discounts: [748, 280, 47],
      total: 4673,
    },
  ])("when $name, then line discounts are $discounts and the total $total", ({ promotions, discounts, total }) => {
    const priced = priceCart({ lines, promotions });
    expect(priced.subtotalMinor).toBe(5748);
    expect(priced.lines.map((l) => l.discountMinor)).toEqual(discounts);
    expect(priced.discountTotalMinor).toBe(discounts.reduce((a, b) => a + b, 0));
    expect(priced.promotions.reduce((a, p) => a + p.discountMinor, 0)).toBe(priced.discountTotalMinor);
    expect(priced.taxTotalMinor).toBe(0);
    expect(priced.totalMinor).toBe(total);
    for (const line of priced.lines) expect(line.totalMinor).toBe(line.subtotalMinor - line.discountMinor + line.taxMinor);
  });

  it("when two stackable promotions apply, then each reports what it took off", () => {
    const priced = priceCart({ lines, promotions: [percent(1000), fixed(500)] });
    expect(priced.promotions).toEqual([
      { code: "PCT1000", description: "promotion PCT1000", discountMinor: 575 },
      { code: "FIX500", description: "promotion FIX500", discountMinor: 500 },
    ]);
  });

  it.each([
    { name: "Germany, 19% and 7% (C: 47.5 -> 48)", tax: to("DE"), promotions: [], taxes: [760, 105, 48], total: 6661 },
    {
      name: "California overrides the US rate; reduced has no US rate (0)",
      tax: to("US", "ca"),
      promotions: [],
      taxes: [290, 0, 18],
      total: 6056,
    },
    {
      name: "New York falls back to the US-wide 5% (C: 12.5 -> 12)",
      tax: to("US", "NY"),
      promotions: [],
      taxes: [200, 0, 12],
      total: 5960,
    },
    { name: "a country without rates: no tax", tax: to("FR"), promotions: [], taxes: [0, 0, 0], total: 5748 },
    {
      name: "Germany on discounted amounts after 15% off",
      tax: to("DE"),
      promotions: [percent(1500)],
      taxes: [646, 89, 40],
      total: 5660,
    },
  ])("when taxed for $name, then line taxes are $taxes and the total $total", ({ tax, promotions, taxes, total }) => {
    const priced = priceCart({ lines, promotions, tax });
    expect(priced.lines.map((l) => l.taxMinor)).toEqual(taxes);
    expect(priced.taxTotalMinor).toBe(taxes.reduce((a, b) => a + b, 0));
    expect(priced.totalMinor).toBe(total);
  });
});
