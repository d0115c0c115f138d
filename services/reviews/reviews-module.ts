import type { Clock } from "../../core/kit/clock.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import { randomId } from "../../core/kit/ids.ts";
import type { ProductCatalog } from "../../core/reviews/product-catalog.ts";
import type { ReviewsDeps } from "../../core/reviews/reviews-deps.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import { ReviewService } from "../../gen/shop/reviews/v1/reviews_pb.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import { DEFAULT_DOCUMENT_RETENTION_SETTINGS, type DocumentRetentionSettings } from "../runtime/retention-config.ts";
import { startRetentionSweeper } from "../runtime/retention-sweeper.ts";
import { DEFAULT_RATING_SWEEP, type RatingSweepOptions, startRatingSweeper } from "./rating-sweeper.ts";
import type { ReviewStores } from "./review-stores.ts";
import { reviewsHandlers } from "./reviews-handlers.ts";

export interface ReviewsModuleDeps {
  readonly stores: ReviewStores;
  readonly products: ProductCatalog;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly resolveIdentity: IdentityResolver;
  /** Closes the store's connection after the relay stopped (the own process's MongoDB client). */
  readonly close?: () => Promise<void>;
  /** The rating sweeper's pace (DEFAULT_RATING_SWEEP when absent). */
  readonly ratingSweep?: RatingSweepOptions;
  /** The retention sweeper's pace (docs: Retention), when the stores have kinds to sweep; defaults when absent. */
  readonly retention?: DocumentRetentionSettings;
}

/**
 * The reviews context, the same in its own process and in the embedded one: ReviewService, the
 * stores' probes, the outbox relay of `review-events`, the rating sweeper and (on MongoDB) the
 * retention sweeper.
 */
export function reviewsModule(deps: ReviewsModuleDeps): ContextModule & { readonly useCases: ReviewsDeps } {
  const useCases: ReviewsDeps = {
    reviews: deps.stores.reviews,
    ratings: deps.stores.ratings,
    settings: deps.stores.settings,
    products: deps.products,
    clock: deps.clock,
    newId: randomId,
  };
  let relay: { stop(): Promise<void> } | undefined;
  let sweeper: { stop(): Promise<void> } | undefined;
  let retentionSweeper: { stop(): Promise<void> } | undefined;
  return {
    name: "reviews",
    useCases,
    handlers: [
      serviceHandlers(ReviewService, reviewsHandlers(useCases), { logger: deps.logger, resolveIdentity: deps.resolveIdentity }),
    ],
    probes: deps.stores.probes,
    async start() {
      relay = await deps.stores.startRelay(deps.publisher, (err) =>
        deps.logger.warn({ err, context: "reviews" }, "outbox relay retrying"),
      );
      sweeper = startRatingSweeper(useCases, { ...(deps.ratingSweep ?? DEFAULT_RATING_SWEEP), logger: deps.logger });
      const retention = deps.retention ?? DEFAULT_DOCUMENT_RETENTION_SETTINGS;
      const targets = deps.stores.retentionTargets?.(retention) ?? [];
      if (targets.length > 0) {
        retentionSweeper = startRetentionSweeper({
          context: "reviews",
          targets,
          clock: deps.clock,
          settings: retention,
          logger: deps.logger,
        });
      }
    },
    async stop() {
      await retentionSweeper?.stop();
      await sweeper?.stop();
      await relay?.stop();
      await deps.close?.();
    },
  };
}
