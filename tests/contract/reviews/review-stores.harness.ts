import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import type { ProductRatingRepository } from "../../../core/reviews/product-rating-repository.ts";
import { Review, type NewReview } from "../../../core/reviews/review.ts";
import type { ReviewRepository } from "../../../core/reviews/review-repository.ts";
import type { ReviewSettingsRepository } from "../../../core/reviews/review-settings.ts";

/** What each adapter under contract hands the suites. */
export interface ReviewStores {
  readonly reviews: ReviewRepository;
  readonly ratings: ProductRatingRepository;
  readonly settings: ReviewSettingsRepository;
  /** Every event the stores hold with their state (pending or not yet drained), in write order per document. */
  events(): Promise<IntegrationEvent[]>;
  dispose(): Promise<void>;
}

export const acme = parseTenantId("acme");
export const globex = parseTenantId("globex");

export function ctxFor(tenant: string): RequestContext {
  return { tenantId: parseTenantId(tenant), caller: undefined, correlationId: "contract", signal: new AbortController().signal };
}

let next = 0;
export function aReview(overrides: Partial<NewReview> = {}, options: { approved?: boolean; at?: Date } = {}): Review {
  next++;
  return Review.submit(
    {
      tenantId: acme,
      id: `review-${next}`,
      productId: "p-1",
      authorId: `author-${next}`,
      authorDisplayName: "",
      rating: 4,
      title: "Fine",
      body: "",
      submitKey: `key-${next}`,
      submitFingerprint: "f",
      ...overrides,
    },
    options.approved ?? false,
    options.at ?? new Date(Date.UTC(2026, 10, 1, 10, 0, next)),
  );
}
