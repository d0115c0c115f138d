import { conflict } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import { ProductRating, type ProductRatingSnapshot } from "../../../core/reviews/product-rating.ts";
import type { ProductRatingRepository } from "../../../core/reviews/product-rating-repository.ts";
import type { ProductRatingChanged } from "../../../core/reviews/review-events.ts";
import { MemoryReviewOutbox } from "./memory-review-outbox.ts";

/** Rating aggregates in a Map, their events in an outbox (shared with the reviews, if given). */
export class MemoryProductRatingRepository implements ProductRatingRepository {
  readonly #rows = new Map<string, ProductRatingSnapshot>();
  readonly #toEvent: EventMapper<ProductRatingChanged>;
  readonly outbox: MemoryReviewOutbox;

  constructor(toEvent: EventMapper<ProductRatingChanged>, outbox = new MemoryReviewOutbox()) {
    this.#toEvent = toEvent;
    this.outbox = outbox;
  }

  async find(tenantId: TenantId, productId: string): Promise<ProductRating | undefined> {
    const row = this.#rows.get(`${tenantId}/${productId}`);
    return row && ProductRating.restore(row);
  }

  async save(rating: ProductRating, ctx: RequestContext): Promise<void> {
    if (!rating.hasChanges) return;
    const s = rating.snapshot();
    const key = `${s.tenantId}/${s.productId}`;
    if ((this.#rows.get(key)?.version ?? 0) !== rating.loadedVersion)
      throw conflict("REVIEW.RATING_CONCURRENT_UPDATE", `the rating of ${s.productId} was changed meanwhile`);
    this.#rows.set(key, s);
    this.outbox.append(rating.pullEvents().map((event) => this.#toEvent(event, ctx)));
  }
}
