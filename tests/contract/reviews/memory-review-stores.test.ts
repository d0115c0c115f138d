import { MemoryProductRatingRepository } from "../../../adapters/memory/reviews/memory-product-rating-repository.ts";
import { MemoryReviewOutbox } from "../../../adapters/memory/reviews/memory-review-outbox.ts";
import { MemoryReviewRepository } from "../../../adapters/memory/reviews/memory-review-repository.ts";
import { MemoryReviewSettingsRepository } from "../../../adapters/memory/reviews/memory-review-settings-repository.ts";
import { productRatingEventMapper, reviewEventMapper } from "../../../services/reviews/reviews-event-mapper.ts";
import { productRatingRepositoryContract, reviewSettingsRepositoryContract } from "./rating-and-settings.contract.ts";
import { ratingMarksContract } from "./rating-marks.contract.ts";
import { reviewRepositoryContract } from "./review-repository.contract.ts";
import type { ReviewStores } from "./review-stores.harness.ts";

async function memoryStores(): Promise<ReviewStores> {
  const outbox = new MemoryReviewOutbox();
  return {
    reviews: new MemoryReviewRepository(reviewEventMapper, outbox),
    ratings: new MemoryProductRatingRepository(productRatingEventMapper, outbox),
    settings: new MemoryReviewSettingsRepository(),
    events: async () => [...outbox.written],
    dispose: async () => {},
  };
}

reviewRepositoryContract("memory", memoryStores);
productRatingRepositoryContract("memory", memoryStores);
reviewSettingsRepositoryContract("memory", memoryStores);
ratingMarksContract("memory", memoryStores);
