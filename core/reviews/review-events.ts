import type { ProductRatingSnapshot } from "./product-rating.ts";
import type { ReviewSnapshot, ReviewStatus } from "./review.ts";

/** What a review's changes tell other contexts (topic review-events, key product id). */
export type ReviewEvent =
  | { readonly type: "ReviewAdded"; readonly review: ReviewSnapshot }
  | {
      readonly type: "ReviewUpdated";
      readonly review: ReviewSnapshot;
      readonly previousRating: number;
      readonly previousStatus: ReviewStatus;
    }
  | { readonly type: "ReviewDeleted"; readonly review: ReviewSnapshot; readonly previousStatus: ReviewStatus }
  | {
      readonly type: "ReviewModerated";
      readonly review: ReviewSnapshot;
      readonly previousStatus: ReviewStatus;
      /** The moderator's reason; empty for approvals and the flag threshold. */
      readonly reason: string;
    };

/** A product's rating aggregate changed: the whole aggregate and its version. */
export interface ProductRatingChanged {
  readonly type: "ProductRatingChanged";
  readonly rating: ProductRatingSnapshot;
}
