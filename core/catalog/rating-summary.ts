import { invalidField } from "../kit/domain-error.ts";

/** A product's approved ratings as reviews computed them, with the version that orders updates. */
export interface RatingSummary {
  readonly count: number;
  /** Mean of the stars, 0 when there are none; derived from the histogram. */
  readonly average: number;
  /** Counts of 1..5 stars, index 0 = one star. */
  readonly histogram: readonly [number, number, number, number, number];
  /** reviews' rating_version; 0 before any update. A lower or equal one is stale. */
  readonly version: number;
}

export const NO_RATINGS: RatingSummary = { count: 0, average: 0, histogram: [0, 0, 0, 0, 0], version: 0 };

/** A summary from a histogram: count and average are recomputed, never trusted from the wire. */
export function ratingSummary(histogram: readonly number[], version: number): RatingSummary {
  if (histogram.length !== 5 || histogram.some((n) => !Number.isSafeInteger(n) || n < 0))
    throw invalidField("rating", "histogram must hold five non-negative counts");
  const count = histogram.reduce((a, b) => a + b, 0);
  const stars = histogram.reduce((sum, n, i) => sum + n * (i + 1), 0);
  return {
    count,
    average: count === 0 ? 0 : Math.round((stars / count) * 100) / 100,
    histogram: histogram as unknown as RatingSummary["histogram"],
    version,
  };
}

/** One sortable number: average first, then count (RATING sort order). */
export function ratingRank(rating: RatingSummary): number {
  return Math.round(rating.average * 100) * 1e9 + Math.min(rating.count, 999_999_999);
}
