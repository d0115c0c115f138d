import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, type Client, ConnectError, createClient } from "@connectrpc/connect";
import { FlagReason, ModerationDecision, ReviewService, ReviewStatus } from "../../../gen/shop/reviews/v1/reviews_pb.ts";
import { type ReviewsServer, startReviewsServer } from "./support/reviews-server.ts";

let server: ReviewsServer;
/** Acme's reviews of p-1 (one approved, one pending): what globex must never see or change. */
const acme = { approved: "", pending: "" };

beforeAll(async () => {
  server = await startReviewsServer();
  const reviews = createClient(ReviewService, server.transport("grpc"));
  const admin = await server.bearer("acme", "acme-admin", ["tenant_admin"]);
  const a = await reviews.submitReview(
    { productId: "p-1", rating: 5, title: "Acme only", idempotencyKey: "acme-key-1" },
    { headers: await server.bearer("acme", "acme-alice") },
  );
  const b = await reviews.submitReview(
    { productId: "p-1", rating: 1, title: "Acme pending", idempotencyKey: "acme-key-2" },
    { headers: await server.bearer("acme", "acme-bob") },
  );
  acme.approved = a.review!.reviewId;
  acme.pending = b.review!.reviewId;
  await reviews.moderateReview({ reviewId: acme.approved, decision: ModerationDecision.APPROVE }, { headers: admin });
  await reviews.updateReviewSettings({ autoApprove: true, flagThreshold: 9 }, { headers: admin });
});
afterAll(async () => {
  await server?.stop();
});

type Outcome = "ok" | Code;

/** Every RPC aimed at acme's data, made by globex's admin (who also holds the customer role), and what it must get. */
function everyRpc(reviews: Client<typeof ReviewService>, h: Record<string, string>) {
  const id = acme.approved;
  return {
    getReview: [Code.NotFound, () => reviews.getReview({ reviewId: id }, { headers: h })],
    getPendingReview: [Code.NotFound, () => reviews.getReview({ reviewId: acme.pending }, { headers: h })],
    updateReview: [
      Code.NotFound,
      () => reviews.updateReview({ reviewId: id, expectedVersion: 2n, title: "hijacked" }, { headers: h }),
    ],
    deleteReview: [Code.NotFound, () => reviews.deleteReview({ reviewId: id }, { headers: h })],
    setHelpfulVote: [Code.NotFound, () => reviews.setHelpfulVote({ reviewId: id, helpful: true }, { headers: h })],
    flagReview: [Code.NotFound, () => reviews.flagReview({ reviewId: id, reason: FlagReason.SPAM }, { headers: h })],
    moderateReview: [
      Code.NotFound,
      () => reviews.moderateReview({ reviewId: id, decision: ModerationDecision.REJECT, reason: "x" }, { headers: h }),
    ],
    listProductReviews: ["ok", () => reviews.listProductReviews({ productId: "p-1" }, { headers: h })],
    getProductRating: ["ok", () => reviews.getProductRating({ productId: "p-1" }, { headers: h })],
    listPendingReviews: ["ok", () => reviews.listPendingReviews({}, { headers: h })],
    getReviewSettings: ["ok", () => reviews.getReviewSettings({}, { headers: h })],
  } as const satisfies Record<string, readonly [Outcome, () => Promise<unknown>]>;
}

describe.each(["grpc", "connect"] as const)("tenant isolation over %s", (kind) => {
  it("when globex calls every RPC on acme's reviews, then nothing of acme is seen or changed", async () => {
    const reviews = createClient(ReviewService, server.transport(kind));
    const globex = await server.bearer("globex", "globex-admin", ["tenant_admin", "customer"]);
    for (const [name, [expected, call]] of Object.entries(everyRpc(reviews, globex))) {
      const outcome: Outcome = await call().then(
        () => "ok" as const,
        (e: unknown) => ConnectError.from(e).code,
      );
      expect(outcome, name).toBe(expected);
    }
    expect((await reviews.listProductReviews({ productId: "p-1" }, { headers: globex })).reviews).toEqual([]);
    expect((await reviews.getProductRating({ productId: "p-1" }, { headers: globex })).rating?.ratingCount).toBe(0n);
    const acmeIds = [acme.approved, acme.pending];
    const pending = (await reviews.listPendingReviews({}, { headers: globex })).reviews;
    expect(pending.filter((r) => acmeIds.includes(r.reviewId))).toEqual([]);
    expect((await reviews.getReviewSettings({}, { headers: globex })).settings).toMatchObject({ autoApprove: false });
    expect((await reviews.listProductReviews({ productId: "p-1" }, { headers: { "x-tenant-id": "globex" } })).reviews).toEqual(
      [],
    );

    const acmeAdmin = await server.bearer("acme", "acme-admin", ["tenant_admin"]);
    const untouched = await reviews.getReview({ reviewId: acme.approved }, { headers: acmeAdmin });
    expect(untouched.review).toMatchObject({ status: ReviewStatus.APPROVED, title: "Acme only", helpfulCount: 0, flagCount: 0 });
    expect((await reviews.getProductRating({ productId: "p-1" }, { headers: acmeAdmin })).rating?.ratingCount).toBe(1n);
  });

  it("when a globex user reviews product p-1 of globex, then acme's reviews are no obstacle and stay apart", async () => {
    const reviews = createClient(ReviewService, server.transport(kind));
    const carol = await server.bearer("globex", `acme-alice-${kind}`);
    const { review } = await reviews.submitReview(
      { productId: "p-1", rating: 3, title: "Globex's own", idempotencyKey: `globex-key-${kind}` },
      { headers: carol },
    );
    const acmeList = await reviews.listProductReviews({ productId: "p-1" }, { headers: { "x-tenant-id": "acme" } });
    expect(acmeList.reviews.map((r) => r.reviewId)).not.toContain(review!.reviewId);
  });
});
