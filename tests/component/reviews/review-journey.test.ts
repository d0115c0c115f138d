import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import type { RunningSubscription } from "../../../core/kit/event-consumer.ts";
import { createKafka } from "../../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher, type KafkaEventPublisher } from "../../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../../adapters/kafka/kafka-topics.ts";
import { createMemoryProcessedEvents } from "../../../adapters/memory/memory-processed-events.ts";
import { decodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import {
  ProductRatingChangedSchema,
  ReviewAddedSchema,
  ReviewModeratedSchema,
} from "../../../gen/shop/events/v1/review_events_pb.ts";
import { ModerationDecision, ReviewService, ReviewStatus } from "../../../gen/shop/reviews/v1/reviews_pb.ts";
import { REVIEW_EVENTS_TOPIC } from "../../../services/reviews/reviews-event-mapper.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { type ReviewsServer, startReviewsServer } from "./support/reviews-server.ts";

let server: ReviewsServer;
let publisher: KafkaEventPublisher;
let subscription: RunningSubscription;
const kafka = () =>
  createKafka({ brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","), clientId: uniqueName("reviews-test") });
const seen: IntegrationEvent[] = [];

beforeAll(async () => {
  const client = kafka();
  await ensureTopics(client, [REVIEW_EVENTS_TOPIC]);
  publisher = createKafkaEventPublisher(client);
  server = await startReviewsServer({ publisher });
  subscription = await createKafkaEventConsumer(client, {
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
    maxWaitTimeMs: 100,
  }).subscribe({
    group: uniqueName("reviews-journey"),
    topics: [REVIEW_EVENTS_TOPIC],
    processedEvents: createMemoryProcessedEvents(),
    handler: async (event) => {
      seen.push(event);
    },
  });
});
afterAll(async () => {
  await subscription?.stop();
  await server?.stop();
  await publisher?.disconnect();
});

async function eventually<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(["grpc", "connect"] as const)("the review journey over %s", (kind) => {
  it("when a customer reviews and an admin approves, then the product's rating and ProductRatingChanged follow", async () => {
    const reviews = createClient(ReviewService, server.transport(kind));
    const productId = uniqueName("prod").replaceAll("_", "-");
    server.products.add("acme", productId);
    const alice = await server.bearer("acme", `alice-${kind}`);
    const bob = await server.bearer("acme", `bob-${kind}`);
    const admin = await server.bearer("acme", `admin-${kind}`, ["tenant_admin"]);
    const anonymous = { "x-tenant-id": "acme" };

    const { review } = await reviews.submitReview(
      { productId, rating: 5, title: "Great", body: "Works.", idempotencyKey: `alice-key-${kind}` },
      { headers: alice },
    );
    expect(review).toMatchObject({ status: ReviewStatus.PENDING, userId: `alice-${kind}`, rating: 5 });
    expect((await reviews.listProductReviews({ productId }, { headers: anonymous })).reviews).toEqual([]);
    expect((await reviews.listProductReviews({ productId }, { headers: alice })).reviews.map((r) => r.reviewId)).toEqual([
      review!.reviewId,
    ]);

    const duplicate = await reviews
      .submitReview({ productId, rating: 1, title: "Again", idempotencyKey: `alice-key2-${kind}` }, { headers: alice })
      .catch((e: unknown) => ConnectError.from(e));
    expect(duplicate).toMatchObject({ code: Code.AlreadyExists });

    await reviews.submitReview({ productId, rating: 2, title: "Meh", idempotencyKey: `bob-key-${kind}` }, { headers: bob });
    const moderated = await reviews.moderateReview(
      { reviewId: review!.reviewId, decision: ModerationDecision.APPROVE },
      { headers: admin },
    );
    expect(moderated.review?.status).toBe(ReviewStatus.APPROVED);

    const rating = await reviews.getProductRating({ productId }, { headers: anonymous });
    expect(rating.rating).toMatchObject({ ratingCount: 1n, averageRating: 5, fiveStarCount: 1n });
    expect((await reviews.listProductReviews({ productId }, { headers: anonymous })).reviews.map((r) => r.reviewId)).toEqual([
      review!.reviewId,
    ]);

    const ofProduct = () => seen.filter((e) => e.tenantId === "acme" && e.key === productId);
    const changed = await eventually("ProductRatingChanged", () => {
      const event = ofProduct().find((e) => e.type === ProductRatingChangedSchema.typeName);
      return event && decodeEvent(ProductRatingChangedSchema, event);
    });
    expect(changed).toMatchObject({ productId, ratingVersion: 1n, rating: { ratingCount: 1n, fiveStarCount: 1n } });
    await eventually("ReviewModerated", () => ofProduct().find((e) => e.type === ReviewModeratedSchema.typeName));
    expect(ofProduct().filter((e) => e.type === ReviewAddedSchema.typeName)).toHaveLength(2);
  });
});
