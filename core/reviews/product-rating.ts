import type { TenantId } from "../kit/request-context.ts";
import type { Stars } from "./review-content.ts";
import type { ProductRatingChanged } from "./review-events.ts";

/** Approved reviews per star: index 0 is one star, index 4 five stars. */
export type StarCounts = readonly [number, number, number, number, number];

export const NO_STARS: StarCounts = [0, 0, 0, 0, 0];

export interface ProductRatingSnapshot {
  readonly tenantId: TenantId;
  readonly productId: string;
  readonly stars: StarCounts;
  /** Grows by one with every change of the aggregate; 0 for a product never rated. */
  readonly version: number;
  readonly updatedAt: Date;
}

export function ratingCount(stars: StarCounts): number {
  return stars.reduce((sum, n) => sum + n, 0);
}

/** Mean of the approved ratings; 0 without any. Display only. */
export function averageRating(stars: StarCounts): number {
  const count = ratingCount(stars);
  if (count === 0) return 0;
  return stars.reduce((sum, n, i) => sum + n * (i + 1), 0) / count;
}

/** Counts from (stars, count) pairs, as an aggregation returns them. */
export function starCountsOf(groups: Iterable<{ readonly rating: number; readonly count: number }>): StarCounts {
  const stars: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  for (const group of groups) {
    const index = (group.rating as Stars) - 1;
    if (index >= 0 && index <= 4) stars[index] = (stars[index] ?? 0) + group.count;
  }
  return stars;
}

/**
 * A product's rating aggregate as stored: recomputed from the approved reviews after each
 * change that can affect it, with a version that grows with each change (what consumers order by).
 */
export class ProductRating {
  #state: ProductRatingSnapshot;
  #events: ProductRatingChanged[] = [];
  /** The version as stored when loaded (0 when none is stored yet). */
  readonly loadedVersion: number;

  private constructor(state: ProductRatingSnapshot, loadedVersion: number) {
    this.#state = state;
    this.loadedVersion = loadedVersion;
  }

  static empty(tenantId: TenantId, productId: string, now: Date): ProductRating {
    return new ProductRating({ tenantId, productId, stars: NO_STARS, version: 0, updatedAt: now }, 0);
  }

  static restore(state: ProductRatingSnapshot): ProductRating {
    return new ProductRating(state, state.version);
  }

  /** Takes freshly counted stars; a change raises ProductRatingChanged, the same counts change nothing. */
  recount(stars: StarCounts, now: Date): void {
    if (stars.every((n, i) => n === this.#state.stars[i])) return;
    this.#state = { ...this.#state, stars, version: this.#state.version + 1, updatedAt: now };
    this.#events.push({ type: "ProductRatingChanged", rating: this.#state });
  }

  get hasChanges(): boolean {
    return this.#state.version !== this.loadedVersion;
  }

  snapshot(): ProductRatingSnapshot {
    return this.#state;
  }

  pullEvents(): ProductRatingChanged[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }
}
