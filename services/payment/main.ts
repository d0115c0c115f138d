import { systemClock } from "../../core/kit/clock.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { createKafkaEventPublisher } from "../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../adapters/kafka/kafka-topics.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { createStripeHttpProvider } from "../../adapters/payment-provider/stripe-http-provider.ts";
import { platformModule } from "../platform/platform-module.ts";
import { kafkaModule } from "../runtime/kafka-module.ts";
import { startMeshIdentity } from "../runtime/mesh-identity.ts";
import { startProcess, stopOnSignals } from "../runtime/run-process.ts";
import { paymentConfigSchema, paymentPolicyOf } from "./payment-config.ts";
import { PAYMENT_EVENTS_TOPIC } from "./payment-event-mapper.ts";
import { paymentEntities, paymentModule } from "./payment-module.ts";
import { retentionSettingsOf } from "../runtime/retention-config.ts";

const config = readConfig(paymentConfigSchema);
const logger = createLogger("payment", config.SHOPMESH_LOG_LEVEL);

const kafka = createKafka({ brokers: config.SHOPMESH_KAFKA_BROKERS, clientId: "payment" });
await ensureTopics(kafka, [PAYMENT_EVENTS_TOPIC]);
const publisher = createKafkaEventPublisher(kafka);
const identity = await startMeshIdentity("payment", kafka, config, logger);

const db = await openSqlDatabase(
  { kind: "mysql", url: config.SHOPMESH_MYSQL_URL, database: config.SHOPMESH_PAYMENT_DATABASE },
  paymentEntities,
);
const provider = createStripeHttpProvider({
  name: config.SHOPMESH_PAYMENT_PROVIDER_NAME,
  baseUrl: config.SHOPMESH_PAYMENT_PROVIDER_URL.replace(/\/$/, ""),
  secretKey: config.SHOPMESH_PAYMENT_PROVIDER_SECRET_KEY,
  timeoutMs: config.SHOPMESH_PAYMENT_PROVIDER_TIMEOUT_MS,
  onProblem: (problem) => logger.warn({ ...problem }, "payment provider call failed"),
});
const payment = paymentModule({
  retention: retentionSettingsOf(config),
  db,
  publisher,
  provider,
  clock: systemClock,
  logger,
  resolveIdentity: identity.resolveIdentity,
  webhook: {
    secret: config.SHOPMESH_PAYMENT_WEBHOOK_SECRET,
    toleranceSeconds: config.SHOPMESH_PAYMENT_WEBHOOK_TOLERANCE_SECONDS,
  },
  policy: paymentPolicyOf(config),
  resolveIntervalMs: config.SHOPMESH_PAYMENT_RESOLVE_INTERVAL_MS,
});
const running = await startProcess({
  modules: [
    platformModule(
      { service: "payment", version: config.SHOPMESH_VERSION, runMode: "distributed", contexts: () => ["payment"] },
      logger,
    ),
    kafkaModule(kafka, publisher),
    identity.module,
    payment,
  ],
  logger,
  port: config.SHOPMESH_PORT,
  host: config.SHOPMESH_HOST,
  drainMs: config.SHOPMESH_DRAIN_MS,
});
stopOnSignals(running, logger);
logger.info({ url: running.server.url }, "payment is serving");
