import { systemClock } from "../../core/kit/clock.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createSmtpEmailSender } from "../../adapters/email/smtp-email-sender.ts";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher } from "../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../adapters/kafka/kafka-topics.ts";
import { cachedContactDirectory } from "../../adapters/memory/notifications/cached-contact-directory.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { createGrpcTransport } from "../../adapters/rpc/grpc-transport.ts";
import { createRpcContactDirectory } from "../../adapters/rpc/notifications/rpc-contact-directory.ts";
import { createSandboxSmsSender } from "../../adapters/sms/sandbox-sms-sender.ts";
import { platformModule } from "../platform/platform-module.ts";
import { closingModule } from "../runtime/closing-module.ts";
import { kafkaModule } from "../runtime/kafka-module.ts";
import { startMeshIdentity } from "../runtime/mesh-identity.ts";
import { startProcess, stopOnSignals } from "../runtime/run-process.ts";
import { NOTIFICATION_EVENTS_TOPIC } from "./notification-event-mapper.ts";
import { NOTIFICATION_SOURCE_TOPICS } from "./notification-subscription.ts";
import { notificationPolicyOf, notificationsConfigSchema } from "./notifications-config.ts";
import { notificationEntities, notificationsModule } from "./notifications-module.ts";
import { retentionSettingsOf } from "../runtime/retention-config.ts";

const config = readConfig(notificationsConfigSchema);
const logger = createLogger("notifications", config.SHOPMESH_LOG_LEVEL);

const kafka = createKafka({ brokers: config.SHOPMESH_KAFKA_BROKERS, clientId: "notifications" });
await ensureTopics(kafka, [NOTIFICATION_EVENTS_TOPIC, ...NOTIFICATION_SOURCE_TOPICS]);
const publisher = createKafkaEventPublisher(kafka);
const identity = await startMeshIdentity("notifications", kafka, config, logger);

const db = await openSqlDatabase(
  { kind: "mysql", url: config.SHOPMESH_MYSQL_URL, database: config.SHOPMESH_NOTIFICATIONS_DATABASE },
  notificationEntities,
);
const users = createGrpcTransport(config.SHOPMESH_USERS_GRPC_TARGET);
const email = createSmtpEmailSender({
  host: config.SHOPMESH_SMTP_HOST,
  port: config.SHOPMESH_SMTP_PORT,
  secure: config.SHOPMESH_SMTP_SECURE,
  user: config.SHOPMESH_SMTP_USER,
  password: config.SHOPMESH_SMTP_PASSWORD,
  from: config.SHOPMESH_SMTP_FROM,
  timeoutMs: config.SHOPMESH_SMTP_TIMEOUT_MS,
});
const notifications = notificationsModule({
  retention: retentionSettingsOf(config),
  db,
  publisher,
  consumer: createKafkaEventConsumer(kafka),
  contacts: cachedContactDirectory(createRpcContactDirectory(users), {
    ttlMs: config.SHOPMESH_NOTIFICATIONS_CONTACT_CACHE_TTL_MS,
    clock: systemClock,
  }),
  email,
  // No SMS provider is wired yet: the sandbox records messages (docs/notifications.md).
  sms: createSandboxSmsSender(),
  clock: systemClock,
  logger,
  resolveIdentity: identity.resolveIdentity,
  policy: notificationPolicyOf(config),
  retryIntervalMs: config.SHOPMESH_NOTIFICATIONS_RETRY_INTERVAL_MS,
  close: () => email.close(),
});
const running = await startProcess({
  modules: [
    platformModule(
      { service: "notifications", version: config.SHOPMESH_VERSION, runMode: "distributed", contexts: () => ["notifications"] },
      logger,
    ),
    kafkaModule(kafka, publisher),
    identity.module,
    closingModule("users-transport", () => users.close()),
    notifications,
  ],
  logger,
  port: config.SHOPMESH_PORT,
  host: config.SHOPMESH_HOST,
  drainMs: config.SHOPMESH_DRAIN_MS,
});
stopOnSignals(running, logger);
logger.info({ url: running.server.url }, "notifications is serving");
