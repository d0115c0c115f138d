import { expect } from "vitest";
import { fixedClock } from "../../../../core/kit/clock.ts";
import { DomainError } from "../../../../core/kit/domain-error.ts";
import { sequentialIds } from "../../../../core/kit/ids.ts";
import { parseTenantId, type RequestContext } from "../../../../core/kit/request-context.ts";
import type { Role } from "../../../../core/kit/roles.ts";
import type { ReviewsDeps } from "../../../../core/reviews/reviews-deps.ts";
import { type SubmitReviewInput, submitReview } from "../../../../core/reviews/submit-review.ts";
import { MemoryProductCatalog } from "../../../../adapters/memory/reviews/memory-product-catalog.ts";
import { MemoryProductRatingRepository } from "../../../../adapters/memory/reviews/memory-product-rating-repository.ts";
import { MemoryReviewOutbox } from "../../../../adapters/memory/reviews/memory-review-outbox.ts";
import { MemoryReviewRepository } from "../../../../adapters/memory/reviews/memory-review-repository.ts";
import { MemoryReviewSettingsRepository } from "../../../../adapters/memory/reviews/memory-review-settings-repository.ts";
import { decodeEvent } from "../../../../adapters/protobuf/integration-event-encoding.ts";
import { ProductRatingChangedSchema } from "../../../../gen/shop/events/v1/review_events_pb.ts";
import { productRatingEventMapper, reviewEventMapper } from "../../../../services/reviews/reviews-event-mapper.ts";

export function ctxOf(tenant: string, userId?: string, roles: readonly Role[] = ["customer"]): RequestContext {
  return {
    tenantId: parseTenantId(tenant),
    caller: userId === undefined ? undefined : { userId, roles },
    correlationId: "corr-1",
    signal: new AbortController().signal,
  };
}

export const alice = ctxOf("acme", "alice");
export const bob = ctxOf("acme", "bob");
export const carol = ctxOf("acme", "carol");
export const admin = ctxOf("acme", "admin", ["tenant_admin"]);
export const anonymous = ctxOf("acme");

export function reviewsFixture() {
  const outbox = new MemoryReviewOutbox();
  const reviews = new MemoryReviewRepository(reviewEventMapper, outbox);
  const ratings = new MemoryProductRatingRepository(productRatingEventMapper, outbox);
  const settings = new MemoryReviewSettingsRepository();
  const products = new MemoryProductCatalog().add("acme", "p-1", "p-2").add("globex", "p-1");
  const clock = fixedClock(new Date("2026-11-01T10:00:00.000Z"));
  const deps: ReviewsDeps = { reviews, ratings, settings, products, clock, newId: sequentialIds("review") };
  let keys = 0;
  return {
    deps,
    outbox,
    clock,
    settings,
    eventTypes: () => outbox.written.map((e) => e.type.replace("shop.events.v1.", "")),
    ratingEvents: () =>
      outbox.written.flatMap((e) => {
        const decoded = decodeEvent(ProductRatingChangedSchema, e);
        return decoded ? [{ tenant: e.tenantId, key: e.key, ...decoded }] : [];
      }),
    async submitted(ctx: RequestContext, overrides: Partial<SubmitReviewInput> = {}) {
      clock.advance(1_000);
      return submitReview(deps, ctx, aSubmission({ idempotencyKey: `submit-key-${++keys}`, ...overrides }));
    },
  };
}

export function aSubmission(overrides: Partial<SubmitReviewInput> = {}): SubmitReviewInput {
  return {
    productId: "p-1",
    rating: 4,
    title: "Solid kettle",
    body: "Boils fast.",
    idempotencyKey: "submit-key-0",
    ...overrides,
  };
}

export async function expectDomainError(promise: Promise<unknown>, expected: { kind: string; code?: string; field?: string }) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect(error).toMatchObject(expected);
}
