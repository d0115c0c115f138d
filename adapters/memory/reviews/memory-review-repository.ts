import { alreadyExists } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import { type StarCounts, starCountsOf } from "../../../core/reviews/product-rating.ts";
import { Review, type ReviewSnapshot } from "../../../core/reviews/review.ts";
import { reviewErrors } from "../../../core/reviews/review-errors.ts";
import type { ReviewEvent } from "../../../core/reviews/review-events.ts";
import { compareInOrder, comparePending, cursorOf, pendingKeyOf } from "../../../core/reviews/review-order.ts";
import type {
  PendingReviewQuery,
  ProductReviewQuery,
  RatingMark,
  ReviewRepository,
  ReviewWriteOptions,
} from "../../../core/reviews/review-repository.ts";
import { MemoryReviewOutbox } from "./memory-review-outbox.ts";

/** Reviews in a Map (tombstones included), events in an outbox: unit tests and the embedded process. */
export class MemoryReviewRepository implements ReviewRepository {
  readonly #rows = new Map<string, ReviewSnapshot>();
  readonly #marks = new Map<string, RatingMark>();
  readonly #toEvent: EventMapper<ReviewEvent>;
  readonly outbox: MemoryReviewOutbox;

  constructor(toEvent: EventMapper<ReviewEvent>, outbox = new MemoryReviewOutbox()) {
    this.#toEvent = toEvent;
    this.outbox = outbox;
  }

  async find(tenantId: TenantId, reviewId: string): Promise<Review | undefined> {
    const row = this.#rows.get(key(tenantId, reviewId));
    return row && row.status !== "deleted" ? Review.restore(row) : undefined;
  }

  async findByAuthor(tenantId: TenantId, productId: string, authorId: string): Promise<Review | undefined> {
    const row = this.#live(tenantId).find((r) => r.productId === productId && r.authorId === authorId);
    return row && Review.restore(row);
  }

  async add(review: Review, ctx: RequestContext, options?: ReviewWriteOptions): Promise<void> {
    const s = review.snapshot();
    if (this.#live(s.tenantId).some((r) => r.productId === s.productId && r.authorId === s.authorId))
      throw alreadyExists("REVIEW.ALREADY_EXISTS", `the author already reviewed product ${s.productId}`);
    if (this.#rows.has(key(s.tenantId, s.id))) throw alreadyExists("REVIEW.ID_TAKEN", `review ${s.id} exists`);
    this.#rows.set(key(s.tenantId, s.id), s);
    if (options?.marksRating) this.#mark(s);
    this.outbox.append(review.pullEvents().map((event) => this.#toEvent(event, ctx)));
  }

  async update(review: Review, ctx: RequestContext, options?: ReviewWriteOptions): Promise<void> {
    if (!review.hasChanges) return;
    const s = review.snapshot();
    if (this.#rows.get(key(s.tenantId, s.id))?.revision !== review.loadedRevision) throw reviewErrors.concurrentUpdate(s.id);
    this.#rows.set(key(s.tenantId, s.id), s);
    if (options?.marksRating) this.#mark(s);
    this.outbox.append(review.pullEvents().map((event) => this.#toEvent(event, ctx)));
  }

  async listForProduct(query: ProductReviewQuery): Promise<Review[]> {
    return this.#live(query.tenantId)
      .filter((r) => r.productId === query.productId)
      .filter((r) => r.status === "approved" || (query.viewerId !== undefined && r.authorId === query.viewerId))
      .filter((r) => query.rating === undefined || r.rating === query.rating)
      .filter((r) => !query.after || compareInOrder(cursorOf(r, query.sort), query.after, query.sort) > 0)
      .sort((a, b) => compareInOrder(cursorOf(a, query.sort), cursorOf(b, query.sort), query.sort))
      .slice(0, query.limit)
      .map((r) => Review.restore(r));
  }

  async listPending(query: PendingReviewQuery): Promise<Review[]> {
    return this.#live(query.tenantId)
      .filter((r) => r.status === "pending" && (query.productId === undefined || r.productId === query.productId))
      .filter((r) => !query.after || comparePending(pendingKeyOf(r), query.after) > 0)
      .sort((a, b) => comparePending(pendingKeyOf(a), pendingKeyOf(b)))
      .slice(0, query.limit)
      .map((r) => Review.restore(r));
  }

  async countApprovedStars(tenantId: TenantId, productId: string): Promise<StarCounts> {
    const approved = this.#live(tenantId).filter((r) => r.productId === productId && r.status === "approved");
    return starCountsOf([1, 2, 3, 4, 5].map((rating) => ({ rating, count: approved.filter((r) => r.rating === rating).length })));
  }

  async ratingMarks(before: Date, limit: number): Promise<RatingMark[]> {
    return [...this.#marks.values()]
      .filter((m) => m.since < before)
      .sort((a, b) => a.since.getTime() - b.since.getTime())
      .slice(0, limit);
  }

  async clearRatingMark(tenantId: TenantId, reviewId: string, revision: number): Promise<void> {
    if (this.#marks.get(key(tenantId, reviewId))?.revision === revision) this.#marks.delete(key(tenantId, reviewId));
  }

  #mark(s: ReviewSnapshot): void {
    this.#marks.set(key(s.tenantId, s.id), {
      tenantId: s.tenantId,
      productId: s.productId,
      reviewId: s.id,
      revision: s.revision,
      since: s.updatedAt,
    });
  }

  #live(tenantId: TenantId): ReviewSnapshot[] {
    return [...this.#rows.values()].filter((r) => r.tenantId === tenantId && r.status !== "deleted");
  }
}

const key = (tenantId: TenantId, id: string) => `${tenantId}/${id}`;
