import type { Transport } from "@connectrpc/connect";
import type { Kafka } from "kafkajs";
import { createSmtpEmailSender } from "../../../../adapters/email/smtp-email-sender.ts";
import { createKafkaEventConsumer } from "../../../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher } from "../../../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../../../adapters/kafka/kafka-topics.ts";
import { cachedContactDirectory } from "../../../../adapters/memory/notifications/cached-contact-directory.ts";
import { createLogger } from "../../../../adapters/observability/logger.ts";
import { createGrpcTransport } from "../../../../adapters/rpc/grpc-transport.ts";
import { createRpcContactDirectory } from "../../../../adapters/rpc/notifications/rpc-contact-directory.ts";
import { createSandboxSmsSender } from "../../../../adapters/sms/sandbox-sms-sender.ts";
import { DEFAULT_NOTIFICATION_POLICY } from "../../../../core/notifications/notifications-deps.ts";
import type { EmailSender } from "../../../../core/notifications/ports.ts";
import { NOTIFICATION_EVENTS_TOPIC } from "../../../../services/notifications/notification-event-mapper.ts";
import { notificationEntities, notificationsModule } from "../../../../services/notifications/notifications-module.ts";
import { createTestKafka, fastConsumerTimings, testTopics } from "../../../contract/messaging/support/test-kafka.ts";
import { requiredEnv } from "../../../support/required-env.ts";
import { openSqlTestDatabase, type SqlTestDatabase } from "../../../support/sql-test-database.ts";
import { uniqueName } from "../../../support/unique-name.ts";
import { startUsersServer, type UsersServer } from "../../users/support/users-server.ts";
import { startTestProcess } from "../../../support/test-process.ts";

export interface NotificationsServer {
  readonly url: string;
  readonly db: SqlTestDatabase;
  readonly users: UsersServer;
  readonly kafka: Kafka;
  /** This server's own source topics (stand-ins for order-events, shipping-events, ...). */
  readonly topics: { readonly orders: string; readonly shipping: string };
  readonly publisher: ReturnType<typeof createKafkaEventPublisher>;
  readonly sms: ReturnType<typeof createSandboxSmsSender>;
  /** While true, mail goes to a port where no SMTP server listens (every attempt fails). */
  smtpBroken: boolean;
  transport(kind: "grpc" | "connect"): Transport;
  stop(): Promise<void>;
}

/**
 * NotificationService on port 0: its own database on the local MariaDB, source events from
 * topics of its own on the local Kafka, contacts from a real users server over gRPC, mail to
 * the local SMTP server (or, while `smtpBroken`, to a closed port). Retries are fast: 3
 * attempts, 100 ms then 200 ms.
 */
export async function startNotificationsServer(): Promise<NotificationsServer> {
  const logger = createLogger("notifications-test", "silent");
  const users = await startUsersServer();
  const db = await openSqlTestDatabase("mariadb", "notifications_component", notificationEntities);
  const kafka = createTestKafka();
  const created = testTopics(kafka, 2);
  const topics = { orders: await created.create("order_events"), shipping: await created.create("shipping_events") };
  await ensureTopics(kafka, [NOTIFICATION_EVENTS_TOPIC]);
  const publisher = createKafkaEventPublisher(kafka);
  const usersTransport = createGrpcTransport(`127.0.0.1:${users.port}`);
  const smtp = {
    host: requiredEnv("SHOPMESH_SMTP_HOST"),
    from: "shopmesh test <no-reply@shopmesh.test>",
    timeoutMs: 2_000,
  };
  const good = createSmtpEmailSender({ ...smtp, port: Number(requiredEnv("SHOPMESH_SMTP_PORT")) });
  const broken = createSmtpEmailSender({ ...smtp, port: 9 });
  const sms = createSandboxSmsSender();
  const state = { smtpBroken: false };
  const email: EmailSender = { send: (message) => (state.smtpBroken ? broken : good).send(message) };
  const module = notificationsModule({
    db: { ...db, close: async () => {} }, // the test disposes the database itself
    publisher,
    consumer: createKafkaEventConsumer(kafka, fastConsumerTimings),
    contacts: cachedContactDirectory(createRpcContactDirectory(usersTransport), {
      ttlMs: 1_000,
      clock: { now: () => new Date() },
    }),
    email,
    sms,
    clock: { now: () => new Date() },
    logger,
    resolveIdentity: users.identity.resolveIdentity,
    policy: {
      ...DEFAULT_NOTIFICATION_POLICY,
      linkBaseUrl: "https://shop.test",
      retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 400 },
    },
    retryIntervalMs: 100,
    sourceTopics: [topics.orders, topics.shipping],
    consumerGroup: uniqueName("notifications"),
  });
  const served = await startTestProcess([module], logger);
  const server: NotificationsServer = {
    url: served.url,
    db,
    users,
    kafka,
    topics,
    publisher,
    sms,
    get smtpBroken() {
      return state.smtpBroken;
    },
    set smtpBroken(value: boolean) {
      state.smtpBroken = value;
    },
    transport: served.transport,
    async stop() {
      await served.stop();
      good.close();
      broken.close();
      usersTransport.close();
      await publisher.disconnect();
      await created.deleteAll().catch(() => undefined);
      await db.dispose();
      await users.stop();
    },
  };
  return server;
}
