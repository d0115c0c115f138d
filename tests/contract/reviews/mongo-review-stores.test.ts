import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { fromPendingDocument, OUTBOX_EVENTS, type PendingEventDocument } from "../../../adapters/mongo/mongo-outbox.ts";
import { MongoProductRatingRepository } from "../../../adapters/mongo/reviews/mongo-product-rating-repository.ts";
import { MongoReviewRepository } from "../../../adapters/mongo/reviews/mongo-review-repository.ts";
import { MongoReviewSettingsRepository } from "../../../adapters/mongo/reviews/mongo-review-settings-repository.ts";
import { REVIEW_OUTBOX_COLLECTIONS, reviewIndexes } from "../../../adapters/mongo/reviews/review-collections.ts";
import { productRatingEventMapper, reviewEventMapper } from "../../../services/reviews/reviews-event-mapper.ts";
import { openMongoTestDatabase } from "../mongo/support/mongo-test-database.ts";
import { productRatingRepositoryContract, reviewSettingsRepositoryContract } from "./rating-and-settings.contract.ts";
import { ratingMarksContract } from "./rating-marks.contract.ts";
import { reviewRepositoryContract } from "./review-repository.contract.ts";
import type { ReviewStores } from "./review-stores.harness.ts";

async function mongoStores(): Promise<ReviewStores> {
  const database = await openMongoTestDatabase("reviews", reviewIndexes);
  const { db } = database;
  return {
    reviews: new MongoReviewRepository(db, reviewEventMapper),
    ratings: new MongoProductRatingRepository(db, productRatingEventMapper),
    settings: new MongoReviewSettingsRepository(db),
    async events() {
      const events: IntegrationEvent[] = [];
      for (const name of REVIEW_OUTBOX_COLLECTIONS) {
        const docs = await db.collection(name).find({}).sort({ outbox_since: 1, _id: 1 }).toArray();
        for (const doc of docs) events.push(...(doc[OUTBOX_EVENTS] as PendingEventDocument[]).map(fromPendingDocument));
      }
      return events;
    },
    dispose: () => database.dispose(),
  };
}

reviewRepositoryContract("MongoDB (FerretDB)", mongoStores);
productRatingRepositoryContract("MongoDB (FerretDB)", mongoStores);
reviewSettingsRepositoryContract("MongoDB (FerretDB)", mongoStores);
ratingMarksContract("MongoDB (FerretDB)", mongoStores);
