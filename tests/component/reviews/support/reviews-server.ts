import type { Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { EventPublisher } from "../../../../core/kit/event-publisher.ts";
import { systemClock } from "../../../../core/kit/clock.ts";
import { createMemoryEventBus } from "../../../../adapters/memory/memory-event-bus.ts";
import { MemoryProductCatalog } from "../../../../adapters/memory/reviews/memory-product-catalog.ts";
import { reviewIndexes } from "../../../../adapters/mongo/reviews/review-collections.ts";
import { createLogger } from "../../../../adapters/observability/logger.ts";
import { createGrpcTransport, type GrpcTransport } from "../../../../adapters/rpc/grpc-transport.ts";
import type { RatingSweepOptions } from "../../../../services/reviews/rating-sweeper.ts";
import { mongoReviewStores } from "../../../../services/reviews/review-stores.ts";
import { reviewsModule } from "../../../../services/reviews/reviews-module.ts";
import { type RunningProcess, startProcess } from "../../../../services/runtime/run-process.ts";
import { type MongoTestDatabase, openMongoTestDatabase } from "../../../contract/mongo/support/mongo-test-database.ts";
import { type TestIdentity, testIdentity } from "../../users/support/identity.ts";

export interface ReviewsServer {
  readonly url: string;
  readonly mongo: MongoTestDatabase;
  readonly identity: TestIdentity;
  /** Products that exist: p-1, p-2 in acme; p-1 in globex (plus what tests add). */
  readonly products: MemoryProductCatalog;
  transport(kind: "grpc" | "connect"): Transport;
  bearer(tenant: string, userId: string, roles?: readonly ("customer" | "tenant_admin")[]): Promise<Record<string, string>>;
  /** Documents in the reviews collection (all tenants). */
  storedReviews(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * ReviewService on port 0 against a database of its own on the local FerretDB, with real JWTs;
 * its outbox relay publishes to `publisher` (Kafka, when a test is about events) or to an
 * in-process bus.
 */
export async function startReviewsServer(
  options: { publisher?: EventPublisher; ratingSweep?: RatingSweepOptions } = {},
): Promise<ReviewsServer> {
  const logger = createLogger("reviews-test", "silent");
  const mongo = await openMongoTestDatabase("reviews_component", reviewIndexes);
  const identity = await testIdentity();
  const products = new MemoryProductCatalog().add("acme", "p-1", "p-2").add("globex", "p-1");
  const module = reviewsModule({
    stores: mongoReviewStores(mongo.db),
    products,
    publisher: options.publisher ?? createMemoryEventBus().publisher,
    clock: systemClock,
    logger,
    resolveIdentity: identity.resolveIdentity,
    ...(options.ratingSweep ? { ratingSweep: options.ratingSweep } : {}),
  });
  const running: RunningProcess = await startProcess({ modules: [module], logger, port: 0, host: "127.0.0.1", drainMs: 1_000 });
  const grpcTransports: GrpcTransport[] = [];
  return {
    url: running.server.url,
    mongo,
    identity,
    products,
    transport(kind) {
      if (kind === "connect") return createConnectTransport({ baseUrl: running.server.url, httpVersion: "1.1" });
      const transport = createGrpcTransport(`127.0.0.1:${running.server.port}`);
      grpcTransports.push(transport);
      return transport;
    },
    async bearer(tenant, userId, roles = ["customer"]) {
      return { authorization: await identity.bearer(tenant, userId, roles) };
    },
    storedReviews: () => mongo.db.collection("reviews").countDocuments({}),
    async stop() {
      for (const transport of grpcTransports) transport.close();
      await running.stop();
      await mongo.dispose();
    },
  };
}
