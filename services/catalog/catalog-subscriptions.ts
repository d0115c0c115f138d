import { fromBinary } from "@bufbuild/protobuf";
import type { CatalogDeps } from "../../core/catalog/catalog-deps.ts";
import { applyProductRating } from "../../core/catalog/product-rating.ts";
import { ratingSummary } from "../../core/catalog/rating-summary.ts";
import type { EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { ProcessedEvents } from "../../core/kit/processed-events.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import { ProductRatingChangedSchema } from "../../gen/shop/events/v1/review_events_pb.ts";
import { PRODUCT_EVENTS_TOPIC } from "./product-event-mapper.ts";

export const REVIEW_EVENTS_TOPIC = "review-events";

/**
 * The catalog's own product-events drop cached copies (the cache is invalidated when the
 * change is delivered, in every catalog process: each has its own group), and reviews'
 * ProductRatingChanged keeps the products' rating copies (idempotent by rating_version;
 * ReviewAdded/ReviewModerated carry no aggregate and are skipped).
 */
export async function subscribeCatalogEvents(options: {
  readonly consumer: EventConsumer;
  readonly processedEvents: ProcessedEvents;
  readonly deps: CatalogDeps;
  readonly logger: Logger;
  /** One cache-invalidation group per process, so every process drops its copies. */
  readonly cacheGroup: string;
}): Promise<RunningSubscription[]> {
  const { deps, logger } = options;
  const onOutcome = (outcome: { kind: string }) => {
    if (outcome.kind === "dead-lettered" || outcome.kind === "retrying")
      logger.warn({ outcome: outcome.kind }, "catalog event delivery");
  };
  const invalidation = await options.consumer.subscribe({
    group: options.cacheGroup,
    topics: [PRODUCT_EVENTS_TOPIC],
    processedEvents: options.processedEvents,
    onOutcome,
    handler: async (event, ctx) => deps.cache.invalidateProduct(ctx.tenantId, event.key),
  });
  const ratings = await options.consumer.subscribe({
    group: "catalog",
    topics: [REVIEW_EVENTS_TOPIC],
    processedEvents: options.processedEvents,
    onOutcome,
    handler: async (event, ctx) => {
      if (event.type !== ProductRatingChangedSchema.typeName) return;
      const message = fromBinary(ProductRatingChangedSchema, event.payload);
      const r = message.rating;
      const histogram = [r?.oneStarCount, r?.twoStarCount, r?.threeStarCount, r?.fourStarCount, r?.fiveStarCount].map((n) =>
        Number(n ?? 0n),
      );
      await applyProductRating(deps, ctx, message.productId, ratingSummary(histogram, Number(message.ratingVersion)));
    },
  });
  return [invalidation, ratings];
}
