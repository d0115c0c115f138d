import type { Collection, Db, Filter, Sort } from "mongodb";
import { alreadyExists } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import { type StarCounts, starCountsOf } from "../../../core/reviews/product-rating.ts";
import { Review } from "../../../core/reviews/review.ts";
import { reviewErrors } from "../../../core/reviews/review-errors.ts";
import type { ReviewEvent } from "../../../core/reviews/review-events.ts";
import { isAscending } from "../../../core/reviews/review-order.ts";
import type {
  PendingReviewQuery,
  ProductReviewQuery,
  RatingMark,
  ReviewRepository,
  ReviewSort,
  ReviewWriteOptions,
} from "../../../core/reviews/review-repository.ts";
import { isDuplicateKey } from "../mongo-database.ts";
import { type DocumentLocks, documentLocks } from "../mongo-insert-lock.ts";
import { outboxFieldsForInsert, outboxUpdate } from "../mongo-outbox.ts";
import { REVIEWS } from "./review-collections.ts";
import {
  fromReviewDocument,
  REVIEW_PROJECTION,
  type ReviewDocument,
  reviewDocumentId,
  toReviewDocument,
} from "./review-document.ts";

const SORT_FIELD: Record<Exclude<ReviewSort, "newest">, keyof ReviewDocument> = {
  most_helpful: "helpful_count",
  rating_highest: "rating",
  rating_lowest: "rating",
};

/**
 * Reviews on MongoDB (FerretDB in tests): one document per review, its pending events inside it
 * (the single-document outbox), every query scoped by tenant_id. Writes are compare-and-set on
 * `revision` under the document lock (mongo-insert-lock.ts); a deleted review stays as a
 * tombstone until nothing refers to it.
 */
export class MongoReviewRepository implements ReviewRepository {
  readonly #reviews: Collection<ReviewDocument>;
  readonly #toEvent: EventMapper<ReviewEvent>;
  readonly #locks: DocumentLocks;

  constructor(db: Db, toEvent: EventMapper<ReviewEvent>) {
    this.#reviews = db.collection<ReviewDocument>(REVIEWS);
    this.#toEvent = toEvent;
    this.#locks = documentLocks(db);
  }

  async find(tenantId: TenantId, reviewId: string): Promise<Review | undefined> {
    return this.#one({ _id: reviewDocumentId(tenantId, reviewId), tenant_id: tenantId, status: { $ne: "deleted" } });
  }

  async findByAuthor(tenantId: TenantId, productId: string, authorId: string): Promise<Review | undefined> {
    return this.#one({ tenant_id: tenantId, product_id: productId, author_id: authorId, status: { $ne: "deleted" } });
  }

  async add(review: Review, ctx: RequestContext, options?: ReviewWriteOptions): Promise<void> {
    const state = toReviewDocument(review.snapshot());
    const events = review.pullEvents().map((event) => this.#toEvent(event, ctx));
    const mark = options?.marksRating ? ratingMarkFields(state.revision, state.updated_at) : {};
    try {
      await this.#reviews.insertOne({ ...state, ...mark, ...outboxFieldsForInsert(events, new Date()) } as ReviewDocument);
    } catch (error) {
      if (isDuplicateKey(error))
        throw alreadyExists("REVIEW.ALREADY_EXISTS", `the author already reviewed product ${state.product_id}`);
      throw error;
    }
  }

  async update(review: Review, ctx: RequestContext, options?: ReviewWriteOptions): Promise<void> {
    if (!review.hasChanges) return;
    const { _id, ...state } = toReviewDocument(review.snapshot());
    const events = review.pullEvents().map((event) => this.#toEvent(event, ctx));
    const mark = options?.marksRating ? ratingMarkFields(state.revision, state.updated_at) : {};
    // Under the document lock: FerretDB 1.24's updateOne({revision}) alone is no compare-and-set.
    const result = await this.#locks.withDocument(REVIEWS, _id, () =>
      this.#reviews.updateOne(
        { _id, tenant_id: state.tenant_id, revision: review.loadedRevision },
        { $set: { ...state, ...mark }, ...outboxUpdate(events, new Date()) },
      ),
    );
    if (result.matchedCount === 0) throw reviewErrors.concurrentUpdate(state.review_id);
  }

  async listForProduct(query: ProductReviewQuery): Promise<Review[]> {
    const visible: Filter<ReviewDocument>[] = [{ status: "approved" }];
    if (query.viewerId !== undefined) visible.push({ author_id: query.viewerId, status: { $ne: "deleted" } });
    const and: Filter<ReviewDocument>[] = [{ $or: visible }];
    const after = query.after;
    if (after) and.push({ $or: afterCursor(query.sort, after) });
    const filter: Filter<ReviewDocument> = {
      tenant_id: query.tenantId,
      product_id: query.productId,
      ...(query.rating === undefined ? {} : { rating: query.rating }),
      $and: and,
    };
    return this.#many(filter, sortOf(query.sort), query.limit);
  }

  async listPending(query: PendingReviewQuery): Promise<Review[]> {
    const after = query.after;
    const filter: Filter<ReviewDocument> = {
      tenant_id: query.tenantId,
      status: "pending",
      ...(query.productId === undefined ? {} : { product_id: query.productId }),
      ...(after
        ? {
            $or: [
              { flag_count: { $lt: after.flagCount } },
              { flag_count: after.flagCount, created_at: { $gt: new Date(after.createdAtMs) } },
              { flag_count: after.flagCount, created_at: new Date(after.createdAtMs), review_id: { $gt: after.id } },
            ],
          }
        : {}),
    };
    return this.#many(filter, { flag_count: -1, created_at: 1, review_id: 1 }, query.limit);
  }

  /** One $match/$group over the product's approved reviews (no $facet: FerretDB). */
  async countApprovedStars(tenantId: TenantId, productId: string): Promise<StarCounts> {
    const groups = await this.#reviews
      .aggregate<{ _id: number; count: number }>([
        { $match: { tenant_id: tenantId, product_id: productId, status: "approved" } },
        { $group: { _id: "$rating", count: { $sum: 1 } } },
      ])
      .toArray();
    return starCountsOf(groups.map((g) => ({ rating: g._id, count: g.count })));
  }

  /** Cross-tenant, on the `rating_marks` index (documents without a mark are not in its range). */
  async ratingMarks(before: Date, limit: number): Promise<RatingMark[]> {
    const docs = await this.#reviews
      .find(
        { rating_mark_since: { $lt: before } },
        { projection: { tenant_id: 1, product_id: 1, review_id: 1, rating_mark: 1, rating_mark_since: 1 } },
      )
      .sort({ rating_mark_since: 1 })
      .limit(limit)
      .toArray();
    return docs.map((d) => ({
      tenantId: d.tenant_id as TenantId,
      productId: d.product_id,
      reviewId: d.review_id,
      revision: d.rating_mark as number,
      since: d.rating_mark_since as Date,
    }));
  }

  /** Locked: an unlocked write-back could erase a concurrent update of the review (its newer mark, its events). */
  async clearRatingMark(tenantId: TenantId, reviewId: string, revision: number): Promise<void> {
    const _id = reviewDocumentId(tenantId, reviewId);
    await this.#locks.withDocument(REVIEWS, _id, () =>
      this.#reviews.updateOne(
        { _id, tenant_id: tenantId, rating_mark: revision },
        { $unset: { rating_mark: "", rating_mark_since: "" } },
      ),
    );
  }

  async #one(filter: Filter<ReviewDocument>): Promise<Review | undefined> {
    const doc = await this.#reviews.findOne(filter, { projection: REVIEW_PROJECTION });
    return doc ? Review.restore(fromReviewDocument(doc)) : undefined;
  }

  async #many(filter: Filter<ReviewDocument>, sort: Sort, limit: number): Promise<Review[]> {
    const docs = await this.#reviews.find(filter, { projection: REVIEW_PROJECTION }).sort(sort).limit(limit).toArray();
    return docs.map((doc) => Review.restore(fromReviewDocument(doc)));
  }
}

/** Written by the same insert/update as the review (one document: atomic without transactions); since = the change's time. */
function ratingMarkFields(revision: number, at: Date): Pick<ReviewDocument, "rating_mark" | "rating_mark_since"> {
  return { rating_mark: revision, rating_mark_since: at };
}

function sortOf(sort: ReviewSort): Sort {
  if (sort === "newest") return { created_at: -1, review_id: -1 };
  return { [SORT_FIELD[sort]]: isAscending(sort) ? 1 : -1, created_at: -1, review_id: -1 };
}

/** Documents after the cursor in the order `sort`: sort key, then newest, then id descending. */
function afterCursor(sort: ReviewSort, after: NonNullable<ProductReviewQuery["after"]>): Filter<ReviewDocument>[] {
  const created = new Date(after.createdAtMs);
  const tail: Filter<ReviewDocument>[] = [
    { created_at: { $lt: created } },
    { created_at: created, review_id: { $lt: after.id } },
  ];
  if (sort === "newest") return tail;
  const field = SORT_FIELD[sort];
  const beyond = isAscending(sort) ? { $gt: after.sortValue } : { $lt: after.sortValue };
  return [{ [field]: beyond }, ...tail.map((t) => ({ [field]: after.sortValue, ...t }))] as Filter<ReviewDocument>[];
}
