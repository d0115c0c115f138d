import type { Clock } from "../kit/clock.ts";
import type { IdGenerator } from "../kit/ids.ts";
import type { ProductCatalog } from "./product-catalog.ts";
import type { ProductRatingRepository } from "./product-rating-repository.ts";
import type { ReviewRepository } from "./review-repository.ts";
import type { ReviewSettingsRepository } from "./review-settings.ts";

/** Everything the reviews use cases need, handed in by the composition root. */
export interface ReviewsDeps {
  readonly reviews: ReviewRepository;
  readonly ratings: ProductRatingRepository;
  readonly settings: ReviewSettingsRepository;
  readonly products: ProductCatalog;
  readonly clock: Clock;
  readonly newId: IdGenerator;
}
