import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { ModerationDecision, ReviewService } from "../../../gen/shop/reviews/v1/reviews_pb.ts";
import { type ReviewsServer, startReviewsServer } from "./support/reviews-server.ts";

let server: ReviewsServer;
let alice: Record<string, string>;
beforeAll(async () => {
  server = await startReviewsServer();
  alice = await server.bearer("acme", "alice");
});
afterAll(async () => {
  await server?.stop();
});

const submission = { productId: "p-1", rating: 4, title: "Fine", body: "", idempotencyKey: "input-key-1" };
const failure = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );

describe.each(["grpc", "connect"] as const)("bad input and access over %s", (kind) => {
  it.each([
    ["rating 0", { rating: 0 }, "rating"],
    ["rating 6", { rating: 6 }, "rating"],
    ["a 5,001-character body", { body: "b".repeat(5_001) }, "body"],
    ["a 100 KB body", { body: "b".repeat(100_000) }, "body"],
    ["a 151-character title", { title: "t".repeat(151) }, "title"],
    ["a $where product id", { productId: '{"$where":"sleep(5000)"}' }, "product_id"],
    ["an operator product id", { productId: "$gt" }, "product_id"],
    ["a regex-bomb product id", { productId: "(a+)+$" }, "product_id"],
    ["a NUL in the body", { body: "ok\u0000drop" }, "body"],
    ["a short idempotency key", { idempotencyKey: "k" }, "idempotency_key"],
  ])("when a submission has %s, then INVALID_ARGUMENT names %s and nothing is stored", async (_name, bad, field) => {
    const reviews = createClient(ReviewService, server.transport(kind));
    const error = await failure(reviews.submitReview({ ...submission, ...bad }, { headers: alice }));
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(error?.metadata.get("shop-error-field")).toBe(field);
    expect(await server.storedReviews()).toBe(0);
  });

  it("when a listing filters with an injection-looking product id, then INVALID_ARGUMENT on product_id", async () => {
    const reviews = createClient(ReviewService, server.transport(kind));
    const error = await failure(
      reviews.listProductReviews({ productId: '{"$ne":null}' }, { headers: { "x-tenant-id": "acme" } }),
    );
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(error?.metadata.get("shop-error-field")).toBe("product_id");
  });

  it("when no one is signed in, then submitting is UNAUTHENTICATED and nothing is stored", async () => {
    const reviews = createClient(ReviewService, server.transport(kind));
    const error = await failure(reviews.submitReview(submission, { headers: { "x-tenant-id": "acme" } }));
    expect(error?.code).toBe(Code.Unauthenticated);
    expect(await server.storedReviews()).toBe(0);
  });

  it("when a customer moderates or reads the settings, then PERMISSION_DENIED", async () => {
    const reviews = createClient(ReviewService, server.transport(kind));
    const bob = await server.bearer("acme", `bob-${kind}`);
    const moderate = await failure(
      reviews.moderateReview({ reviewId: "any-review", decision: ModerationDecision.APPROVE }, { headers: bob }),
    );
    expect(moderate?.code).toBe(Code.PermissionDenied);
    expect((await failure(reviews.listPendingReviews({}, { headers: bob })))?.code).toBe(Code.PermissionDenied);
    expect((await failure(reviews.updateReviewSettings({ autoApprove: true }, { headers: bob })))?.code).toBe(
      Code.PermissionDenied,
    );
  });

  it("when a product is unknown, then NOT_FOUND", async () => {
    const reviews = createClient(ReviewService, server.transport(kind));
    const error = await failure(reviews.submitReview({ ...submission, productId: "p-404" }, { headers: alice }));
    expect(error?.code).toBe(Code.NotFound);
  });
});
