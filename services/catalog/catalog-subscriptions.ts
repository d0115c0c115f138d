import { fromBinary } from "@bufbuild/protobuf";
import type { CatalogDeps } from "../../core/catalog/catalog-deps.ts";
import { applyProductRating } from "../../core/catalog/product-rating.ts";
import { ratingSummary } from "../../core/catalog/rating-summary.ts";
import { projectProductToSearch } from "../../core/catalog/search-projection.ts";
import type { EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { ProcessedEvents } from "../../core/kit/processed-events.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import { ProductRatingChangedSchema } from "../../gen/shop/events/v1/review_events_pb.ts";
import { PRODUCT_EVENTS_TOPIC } from "./product-event-mapper.ts";
import { REVIEW_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { REVIEW_EVENTS_TOPIC };

/** One group for all catalog processes: the search projector keeps the shared index. */
export const SEARCH_PROJECTION_GROUP = "catalog-search";

/**
 * The catalog's own product-events drop cached copies (the cache is invalidated when the
 * change is delivered, in every catalog process: each has its own group), and reviews'
 * ProductRatingChanged keeps the products' rating copies (idempotent by rating_version;
 * ReviewAdded/ReviewModerated carry no aggregate and are skipped). The search projector (group
 * catalog-search) re-indexes the product named by each product event and each rating change.
 */
export async function subscribeCatalogEvents(options: {
  readonly consumer: EventConsumer;
  readonly processedEvents: ProcessedEvents;
  readonly deps: CatalogDeps;
  readonly logger: Logger;
  /** One cache-invalidation group per process, so every process drops its copies. */
  readonly cacheGroup: string;
  /** The ratings consumer's group (default "catalog": one for all catalog processes); tests on a shared broker use their own. */
  readonly ratingGroup?: string;
  /** The search projector's group (default SEARCH_PROJECTION_GROUP); tests on a shared broker use their own. */
  readonly searchGroup?: string;
  /**
   * Tests only: the search projector skips product events older than this (a fresh group
   * replays the whole topic, and a test database holds none of those products).
   */
  readonly searchSince?: Date;
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
    group: options.ratingGroup ?? "catalog",
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
      await projectProductToSearch(deps, ctx.tenantId, message.productId);
    },
  });
  const search = await options.consumer.subscribe({
    group: options.searchGroup ?? SEARCH_PROJECTION_GROUP,
    topics: [PRODUCT_EVENTS_TOPIC],
    processedEvents: options.processedEvents,
    onOutcome,
    handler: async (event, ctx) => {
      if (options.searchSince && event.occurredAt < options.searchSince) return;
      await projectProductToSearch(deps, ctx.tenantId, event.key);
    },
  });
  return [invalidation, ratings, search];
}
