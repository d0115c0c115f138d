import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import type { RunningSubscription } from "../../../core/kit/event-consumer.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { Review } from "../../../core/reviews/review.ts";
import { createKafka } from "../../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher, type KafkaEventPublisher } from "../../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../../adapters/kafka/kafka-topics.ts";
import { createMemoryProcessedEvents } from "../../../adapters/memory/memory-processed-events.ts";
import { MongoReviewRepository } from "../../../adapters/mongo/reviews/mongo-review-repository.ts";
import { decodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import { ProductRatingChangedSchema } from "../../../gen/shop/events/v1/review_events_pb.ts";
import { ModerationDecision, ReviewService } from "../../../gen/shop/reviews/v1/reviews_pb.ts";
import { REVIEW_EVENTS_TOPIC, reviewEventMapper } from "../../../services/reviews/reviews-event-mapper.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { type ReviewsServer, startReviewsServer } from "./support/reviews-server.ts";

// A crash between a review's write and its recount, on FerretDB + Kafka: the write is made
// through the repository as the service makes it (with its rating mark) and the recount step is
// never run; the service's rating sweeper must converge the rating and publish it.
let server: ReviewsServer;
let publisher: KafkaEventPublisher;
let subscription: RunningSubscription;
const seen: IntegrationEvent[] = [];
const acme = parseTenantId("acme");

beforeAll(async () => {
  const client = createKafka({
    brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","),
    clientId: uniqueName("reviews-sweep"),
  });
  await ensureTopics(client, [REVIEW_EVENTS_TOPIC]);
  publisher = createKafkaEventPublisher(client);
  server = await startReviewsServer({ publisher, ratingSweep: { intervalMs: 100, graceMs: 300 } });
  subscription = await createKafkaEventConsumer(client, {
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
    maxWaitTimeMs: 100,
  }).subscribe({
    group: uniqueName("reviews-sweep"),
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

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ratingChanges = (productId: string) =>
  seen.flatMap((e) => {
    const decoded = e.key === productId ? decodeEvent(ProductRatingChangedSchema, e) : undefined;
    return decoded ? [{ version: Number(decoded.ratingVersion), count: Number(decoded.rating?.ratingCount) }] : [];
  });

describe("a rating recount lost to a crash", () => {
  it("when the process died between an approved review's write and its recount, then the sweeper converges the rating and publishes it", async () => {
    const reviews = createClient(ReviewService, server.transport("grpc"));
    const anonymous = { "x-tenant-id": "acme" };
    const productId = uniqueName("prod").replaceAll("_", "-");
    const repository = new MongoReviewRepository(server.mongo.db, reviewEventMapper);
    const ctx = { tenantId: acme, caller: undefined, correlationId: "crash", signal: new AbortController().signal };
    const review = Review.submit(
      {
        tenantId: acme,
        id: uniqueName("review").replaceAll("_", "-"),
        productId,
        authorId: "alice",
        authorDisplayName: "",
        rating: 4,
        title: "Good",
        body: "",
        submitKey: "k-1",
        submitFingerprint: "f",
      },
      true,
      new Date(),
    );
    await repository.add(review, ctx, { marksRating: true });
    // The recount never ran: nothing stored yet, the mark is in the review's document.
    expect((await reviews.getProductRating({ productId }, { headers: anonymous })).rating?.ratingCount).toBe(0n);

    const converged = await eventually("the swept rating", async () => {
      const { rating } = await reviews.getProductRating({ productId }, { headers: anonymous });
      return rating?.ratingCount === 1n ? rating : undefined;
    });
    expect(converged).toMatchObject({ ratingCount: 1n, fourStarCount: 1n, averageRating: 4 });
    await eventually("ProductRatingChanged v1 on Kafka", () => (ratingChanges(productId).length > 0 ? true : undefined));
    expect(ratingChanges(productId)).toEqual([{ version: 1, count: 1 }]);
    await eventually("the mark cleared", async () =>
      (await server.mongo.db.collection("reviews").countDocuments({ product_id: productId, rating_mark: { $exists: true } })) ===
      0
        ? true
        : undefined,
    );

    // The same crash after a moderation (a real RPC wrote the review before): the rejection's
    // write is replayed through the repository without its recount; the sweeper counts it out.
    const admin = await server.bearer("acme", "admin", ["tenant_admin"]);
    const stored = (await repository.find(acme, review.id))!;
    stored.moderate("reject", "spam", new Date());
    await repository.update(stored, ctx, { marksRating: true });
    await eventually("the rejection swept", async () => {
      const { rating } = await reviews.getProductRating({ productId }, { headers: anonymous });
      return rating?.ratingCount === 0n ? true : undefined;
    });
    await eventually("ProductRatingChanged v2 on Kafka", () => (ratingChanges(productId).length > 1 ? true : undefined));
    expect(ratingChanges(productId)).toEqual([
      { version: 1, count: 1 },
      { version: 2, count: 0 },
    ]);
    // And the ordinary path still recounts at once (no sweep needed): approve again over RPC.
    await reviews.moderateReview({ reviewId: review.id, decision: ModerationDecision.APPROVE, reason: "" }, { headers: admin });
    expect((await reviews.getProductRating({ productId }, { headers: anonymous })).rating?.ratingCount).toBe(1n);
  });
});
