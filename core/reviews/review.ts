import { invalidField } from "../kit/domain-error.ts";
import type { TenantId } from "../kit/request-context.ts";
import { parseBody, parseStars, parseTitle, type Stars } from "./review-content.ts";
import type { ReviewEvent } from "./review-events.ts";
import { reviewErrors } from "./review-errors.ts";

/** `deleted` is a tombstone: kept until its events are out, never shown. */
export type ReviewStatus = "pending" | "approved" | "rejected" | "deleted";

export interface ReviewSnapshot {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly productId: string;
  readonly authorId: string;
  readonly authorDisplayName: string;
  readonly rating: Stars;
  readonly title: string;
  readonly body: string;
  readonly status: ReviewStatus;
  /** For REJECTED: the moderator's reason, shown to the author. */
  readonly moderationReason: string;
  /** Users who voted it helpful (one vote each). */
  readonly helpfulVoters: readonly string[];
  /** Users who flagged it since it was last approved (one flag each). */
  readonly flaggers: readonly string[];
  /** The idempotency key of the SubmitReview that created it, and a fingerprint of that request. */
  readonly submitKey: string;
  readonly submitFingerprint: string;
  readonly createdAt: Date;
  /** Last change of its content or status. */
  readonly updatedAt: Date;
  /** The contract's version: grows with every change of content or status (not votes or flags). */
  readonly version: number;
  /** Grows with every stored change (votes and flags too): what optimistic concurrency checks. */
  readonly revision: number;
}

export interface NewReview {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly productId: string;
  readonly authorId: string;
  readonly authorDisplayName: string;
  readonly rating: number;
  readonly title: string;
  readonly body: string;
  readonly submitKey: string;
  readonly submitFingerprint: string;
}

export interface ReviewEdit {
  readonly rating?: number | undefined;
  readonly title?: string | undefined;
  readonly body?: string | undefined;
}

/** A user's review of a product: content, moderation state, helpful votes and flags. */
export class Review {
  #state: ReviewSnapshot;
  #events: ReviewEvent[] = [];
  /** The revision as stored when loaded (0 for a new review): what an update must still find. */
  readonly loadedRevision: number;

  private constructor(state: ReviewSnapshot, loadedRevision: number) {
    this.#state = state;
    this.loadedRevision = loadedRevision;
  }

  /** A new review: PENDING, or APPROVED at once when the tenant auto-approves. */
  static submit(input: NewReview, autoApprove: boolean, now: Date): Review {
    const review = new Review(
      {
        tenantId: input.tenantId,
        id: input.id,
        productId: input.productId,
        authorId: input.authorId,
        authorDisplayName: input.authorDisplayName,
        rating: parseStars(input.rating),
        title: parseTitle(input.title),
        body: parseBody(input.body),
        status: autoApprove ? "approved" : "pending",
        moderationReason: "",
        helpfulVoters: [],
        flaggers: [],
        submitKey: input.submitKey,
        submitFingerprint: input.submitFingerprint,
        createdAt: now,
        updatedAt: now,
        version: 1,
        revision: 1,
      },
      0,
    );
    review.#events.push({ type: "ReviewAdded", review: review.#state });
    return review;
  }

  static restore(state: ReviewSnapshot): Review {
    return new Review(state, state.revision);
  }

  get id(): string {
    return this.#state.id;
  }
  get tenantId(): TenantId {
    return this.#state.tenantId;
  }
  get productId(): string {
    return this.#state.productId;
  }
  get authorId(): string {
    return this.#state.authorId;
  }
  get status(): ReviewStatus {
    return this.#state.status;
  }
  get version(): number {
    return this.#state.version;
  }

  isAuthor(userId: string | undefined): boolean {
    return userId !== undefined && userId === this.#state.authorId;
  }

  /** The author edits it; it goes back to PENDING unless the tenant auto-approves. */
  edit(edit: ReviewEdit, expectedVersion: number, autoApprove: boolean, now: Date): void {
    this.#requireLive();
    if (expectedVersion !== this.#state.version) throw reviewErrors.staleVersion(this.#state.id);
    const before = this.#state;
    const rating = edit.rating === undefined ? before.rating : parseStars(edit.rating);
    const title = edit.title === undefined ? before.title : parseTitle(edit.title);
    const body = edit.body === undefined ? before.body : parseBody(edit.body);
    if (rating === before.rating && title === before.title && body === before.body) return;
    this.#change({ rating, title, body, status: autoApprove ? "approved" : "pending", moderationReason: "" }, now);
    this.#events.push({
      type: "ReviewUpdated",
      review: this.#state,
      previousRating: before.rating,
      previousStatus: before.status,
    });
  }

  /** Deleted (a tombstone); deleting twice is NOT_FOUND, as for any review that is not there. */
  delete(now: Date): void {
    this.#requireLive();
    const before = this.#state;
    this.#change({ status: "deleted", title: "", body: "", helpfulVoters: [], flaggers: [] }, now);
    this.#events.push({ type: "ReviewDeleted", review: this.#state, previousStatus: before.status });
  }

  /** A moderator's decision; the same decision again changes nothing. Approving clears the flags. */
  moderate(decision: "approve" | "reject", reason: string, now: Date): void {
    this.#requireLive();
    const trimmed = reason.trim();
    if (decision === "reject" && trimmed.length === 0) throw invalidField("reason", "required to reject");
    const status = decision === "approve" ? "approved" : "rejected";
    const moderationReason = decision === "reject" ? trimmed : "";
    if (this.#state.status === status && this.#state.moderationReason === moderationReason) return;
    const previousStatus = this.#state.status;
    this.#change({ status, moderationReason, flaggers: decision === "approve" ? [] : this.#state.flaggers }, now);
    this.#events.push({ type: "ReviewModerated", review: this.#state, previousStatus, reason: moderationReason });
  }

  /** One flag per user; at `threshold` flags (0: never) an APPROVED review goes back to PENDING. */
  flag(userId: string, threshold: number, now: Date): void {
    this.#requireLive();
    if (this.#state.flaggers.includes(userId)) return;
    this.#touch({ flaggers: [...this.#state.flaggers, userId] });
    if (threshold > 0 && this.#state.status === "approved" && this.#state.flaggers.length >= threshold) {
      this.#change({ status: "pending" }, now);
      this.#events.push({ type: "ReviewModerated", review: this.#state, previousStatus: "approved", reason: "" });
    }
  }

  /** Records or withdraws `userId`'s helpful vote; idempotent; never the author's own. */
  setHelpful(userId: string, helpful: boolean): void {
    this.#requireLive();
    if (this.isAuthor(userId)) throw reviewErrors.ownReviewVote();
    const voted = this.#state.helpfulVoters.includes(userId);
    if (helpful === voted) return;
    const helpfulVoters = helpful
      ? [...this.#state.helpfulVoters, userId]
      : this.#state.helpfulVoters.filter((u) => u !== userId);
    this.#touch({ helpfulVoters });
  }

  get hasChanges(): boolean {
    return this.#state.revision !== this.loadedRevision;
  }

  snapshot(): ReviewSnapshot {
    return this.#state;
  }

  /** The events raised since the last pull; the repository stores them with the state. */
  pullEvents(): ReviewEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  #requireLive(): void {
    if (this.#state.status === "deleted") throw reviewErrors.notFound(this.#state.id);
  }

  /** A change of content or status: the contract's version moves. */
  #change(patch: Partial<ReviewSnapshot>, now: Date): void {
    const base = this.hasChanges ? this.#state : { ...this.#state, revision: this.#state.revision + 1 };
    this.#state = { ...base, ...patch, updatedAt: now, version: this.#state.version + 1 };
  }

  /** A change of votes or flags: stored, but the content's version stays. */
  #touch(patch: Partial<ReviewSnapshot>): void {
    const revision = this.hasChanges ? this.#state.revision : this.#state.revision + 1;
    this.#state = { ...this.#state, ...patch, revision };
  }
}
