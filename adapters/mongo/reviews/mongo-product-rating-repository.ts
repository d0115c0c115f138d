import type { Collection, Db } from "mongodb";
import { conflict } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import { ProductRating, type StarCounts } from "../../../core/reviews/product-rating.ts";
import type { ProductRatingRepository } from "../../../core/reviews/product-rating-repository.ts";
import type { ProductRatingChanged } from "../../../core/reviews/review-events.ts";
import { isDuplicateKey } from "../mongo-database.ts";
import { type DocumentLocks, documentLocks } from "../mongo-insert-lock.ts";
import { outboxFieldsForInsert, outboxUpdate } from "../mongo-outbox.ts";
import { RATINGS } from "./review-collections.ts";

interface RatingDocument {
  _id: string;
  tenant_id: string;
  product_id: string;
  /** Approved reviews per star, one star first. */
  stars: number[];
  version: number;
  updated_at: Date;
}

/**
 * One document per (tenant, product): the aggregate, its version and its pending
 * ProductRatingChanged events. `save` is an insert (version 0: a concurrent first insert loses on
 * the unique _id) or a compare-and-set on `version` under the document lock; a loser gets ABORTED and recounts.
 */
export class MongoProductRatingRepository implements ProductRatingRepository {
  readonly #ratings: Collection<RatingDocument>;
  readonly #toEvent: EventMapper<ProductRatingChanged>;
  readonly #locks: DocumentLocks;

  constructor(db: Db, toEvent: EventMapper<ProductRatingChanged>) {
    this.#ratings = db.collection<RatingDocument>(RATINGS);
    this.#toEvent = toEvent;
    this.#locks = documentLocks(db);
  }

  async find(tenantId: TenantId, productId: string): Promise<ProductRating | undefined> {
    const doc = await this.#ratings.findOne(
      { _id: `${tenantId}/${productId}`, tenant_id: tenantId },
      { projection: { stars: 1, version: 1, updated_at: 1 } },
    );
    if (!doc) return undefined;
    const [a = 0, b = 0, c = 0, d = 0, e = 0] = doc.stars;
    const stars: StarCounts = [a, b, c, d, e];
    return ProductRating.restore({ tenantId, productId, stars, version: doc.version, updatedAt: doc.updated_at });
  }

  async save(rating: ProductRating, ctx: RequestContext): Promise<void> {
    if (!rating.hasChanges) return;
    const s = rating.snapshot();
    const state = {
      tenant_id: s.tenantId,
      product_id: s.productId,
      stars: [...s.stars],
      version: s.version,
      updated_at: s.updatedAt,
    };
    const _id = `${s.tenantId}/${s.productId}`;
    const events = rating.pullEvents().map((event) => this.#toEvent(event, ctx));
    const lost = () => conflict("REVIEW.RATING_CONCURRENT_UPDATE", `the rating of ${s.productId} was changed meanwhile`);
    if (rating.loadedVersion === 0) {
      try {
        await this.#ratings.insertOne({ _id, ...state, ...outboxFieldsForInsert(events, new Date()) });
      } catch (error) {
        if (isDuplicateKey(error)) throw lost();
        throw error;
      }
      return;
    }
    // Under the document lock: FerretDB 1.24's updateOne({version}) alone is no compare-and-set.
    const result = await this.#locks.withDocument(RATINGS, _id, () =>
      this.#ratings.updateOne(
        { _id, tenant_id: s.tenantId, version: rating.loadedVersion },
        { $set: state, ...outboxUpdate(events, new Date()) },
      ),
    );
    if (result.matchedCount === 0) throw lost();
  }
}
