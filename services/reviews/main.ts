import { systemClock } from "../../core/kit/clock.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { createKafkaEventPublisher } from "../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../adapters/kafka/kafka-topics.ts";
import { openMongoDatabase } from "../../adapters/mongo/mongo-database.ts";
import { reviewIndexes } from "../../adapters/mongo/reviews/review-collections.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { createGrpcTransport } from "../../adapters/rpc/grpc-transport.ts";
import { platformModule } from "../platform/platform-module.ts";
import { kafkaModule } from "../runtime/kafka-module.ts";
import { closingModule } from "../runtime/closing-module.ts";
import { startMeshIdentity } from "../runtime/mesh-identity.ts";
import { documentRetentionSettingsOf } from "../runtime/retention-config.ts";
import { startProcess, stopOnSignals } from "../runtime/run-process.ts";
import { createCatalogProductCatalog } from "./catalog-product-catalog.ts";
import { mongoReviewStores } from "./review-stores.ts";
import { reviewsConfigSchema } from "./reviews-config.ts";
import { REVIEW_EVENTS_TOPIC } from "./reviews-event-mapper.ts";
import { reviewsModule } from "./reviews-module.ts";

const config = readConfig(reviewsConfigSchema);
const logger = createLogger("reviews", config.SHOPMESH_LOG_LEVEL);

const kafka = createKafka({ brokers: config.SHOPMESH_KAFKA_BROKERS, clientId: "reviews" });
await ensureTopics(kafka, [REVIEW_EVENTS_TOPIC, "tenant-events"]);
const publisher = createKafkaEventPublisher(kafka);
const identity = await startMeshIdentity("reviews", kafka, config, logger);

const mongo = await openMongoDatabase({
  url: config.SHOPMESH_MONGO_URL,
  database: config.SHOPMESH_REVIEWS_DATABASE,
  indexes: reviewIndexes,
});
const catalog = createGrpcTransport(config.SHOPMESH_CATALOG_GRPC_TARGET);

const reviews = reviewsModule({
  stores: mongoReviewStores(mongo.db),
  products: createCatalogProductCatalog(catalog),
  publisher,
  clock: systemClock,
  logger,
  resolveIdentity: identity.resolveIdentity,
  close: () => mongo.close(),
  ratingSweep: {
    intervalMs: config.SHOPMESH_REVIEWS_RATING_SWEEP_INTERVAL_MS,
    graceMs: config.SHOPMESH_REVIEWS_RATING_SWEEP_GRACE_MS,
  },
  retention: documentRetentionSettingsOf(config),
});
const running = await startProcess({
  modules: [
    platformModule(
      { service: "reviews", version: config.SHOPMESH_VERSION, runMode: "distributed", contexts: () => ["reviews"] },
      logger,
    ),
    kafkaModule(kafka, publisher),
    identity.module,
    closingModule("catalog-client", () => catalog.close()),
    reviews,
  ],
  logger,
  port: config.SHOPMESH_PORT,
  host: config.SHOPMESH_HOST,
  drainMs: config.SHOPMESH_DRAIN_MS,
});
stopOnSignals(running, logger);
logger.info({ url: running.server.url }, "reviews is serving");
