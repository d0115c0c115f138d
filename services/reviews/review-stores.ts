import type { Db } from "mongodb";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import type { HealthProbe } from "../../core/kit/health.ts";
import type { RetentionTarget } from "../../core/kit/retention.ts";
import type { ProductRatingRepository } from "../../core/reviews/product-rating-repository.ts";
import type { ReviewRepository } from "../../core/reviews/review-repository.ts";
import type { ReviewSettingsRepository } from "../../core/reviews/review-settings.ts";
import { MemoryProductRatingRepository } from "../../adapters/memory/reviews/memory-product-rating-repository.ts";
import { MemoryReviewOutbox } from "../../adapters/memory/reviews/memory-review-outbox.ts";
import { MemoryReviewRepository } from "../../adapters/memory/reviews/memory-review-repository.ts";
import { MemoryReviewSettingsRepository } from "../../adapters/memory/reviews/memory-review-settings-repository.ts";
import { mongoHealthProbe } from "../../adapters/mongo/mongo-health-probe.ts";
import { startMongoOutboxRelay } from "../../adapters/mongo/mongo-outbox-relay.ts";
import { MongoProductRatingRepository } from "../../adapters/mongo/reviews/mongo-product-rating-repository.ts";
import { MongoReviewRepository } from "../../adapters/mongo/reviews/mongo-review-repository.ts";
import { MongoReviewSettingsRepository } from "../../adapters/mongo/reviews/mongo-review-settings-repository.ts";
import { REVIEW_OUTBOX_COLLECTIONS } from "../../adapters/mongo/reviews/review-collections.ts";
import type { DocumentRetentionSettings } from "../runtime/retention-config.ts";
import { productRatingEventMapper, reviewEventMapper } from "./reviews-event-mapper.ts";
import { reviewsRetentionTargets } from "./reviews-retention.ts";

/** Where the reviews context keeps its state, and how its outbox reaches the broker. */
export interface ReviewStores {
  readonly reviews: ReviewRepository;
  readonly ratings: ProductRatingRepository;
  readonly settings: ReviewSettingsRepository;
  readonly probes: readonly HealthProbe[];
  startRelay(publisher: EventPublisher, onError: (error: unknown) => void): Promise<{ stop(): Promise<void> }>;
  /** What the retention sweeper deletes; absent when nothing outlives its use (memory). */
  retentionTargets?(settings: DocumentRetentionSettings): RetentionTarget[];
}

/** MongoDB (FerretDB in tests): documents with their own outbox, drained by the kit's relay. */
export function mongoReviewStores(db: Db): ReviewStores {
  return {
    reviews: new MongoReviewRepository(db, reviewEventMapper),
    ratings: new MongoProductRatingRepository(db, productRatingEventMapper),
    settings: new MongoReviewSettingsRepository(db),
    probes: [mongoHealthProbe("reviews-database", db)],
    startRelay: (publisher, onError) =>
      startMongoOutboxRelay({
        db,
        collections: REVIEW_OUTBOX_COLLECTIONS,
        publisher,
        leaseName: "reviews-outbox",
        onError: (error) => onError(error),
      }),
    retentionTargets: (settings) => reviewsRetentionTargets(db, settings),
  };
}

/** In memory (the embedded process): gone with the process. */
export function memoryReviewStores(): ReviewStores & { readonly outbox: MemoryReviewOutbox } {
  const outbox = new MemoryReviewOutbox();
  return {
    outbox,
    reviews: new MemoryReviewRepository(reviewEventMapper, outbox),
    ratings: new MemoryProductRatingRepository(productRatingEventMapper, outbox),
    settings: new MemoryReviewSettingsRepository(),
    probes: [],
    startRelay: async (publisher, onError) => outbox.startRelay(publisher, { onError }),
  };
}
