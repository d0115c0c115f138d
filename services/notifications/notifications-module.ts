import type { Clock } from "../../core/kit/clock.ts";
import type { EventConsumer } from "../../core/kit/event-consumer.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import { randomId } from "../../core/kit/ids.ts";
import type { RetryPolicy } from "../../core/kit/retry-policy.ts";
import {
  DEFAULT_NOTIFICATION_POLICY,
  type NotificationPolicy,
  type NotificationsDeps,
} from "../../core/notifications/notifications-deps.ts";
import type { ContactDirectory, EmailSender, SmsSender } from "../../core/notifications/ports.ts";
import { createMikroOrmProcessedEvents } from "../../adapters/mikro-orm/mikro-orm-processed-events.ts";
import { notificationEntities } from "../../adapters/mikro-orm/notifications/notification-records.ts";
import { MikroOrmNotificationStore } from "../../adapters/mikro-orm/notifications/mikro-orm-notification-store.ts";
import type { SqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import { createHandlebarsTemplateEngine } from "../../adapters/templates/handlebars-template-engine.ts";
import { NotificationService } from "../../gen/shop/notifications/v1/notifications_pb.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import { relationalContextModule } from "../runtime/relational-context.ts";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSettings } from "../runtime/retention-config.ts";
import { startRetentionSweeper } from "../runtime/retention-sweeper.ts";
import { messagingRetentionTargets } from "../runtime/retention-targets.ts";
import { startDeliveryWorker } from "./delivery-worker.ts";
import { notificationEventMapper } from "./notification-event-mapper.ts";
import { subscribeToNotificationSources } from "./notification-subscription.ts";
import { notificationsHandlers } from "./notifications-handlers.ts";

export { notificationEntities };

export interface NotificationsModuleDeps {
  readonly db: SqlDatabase;
  readonly publisher: EventPublisher;
  /** Where user-, order-, payment- and shipping-events come from (Kafka, or the in-process bus). */
  readonly consumer: EventConsumer;
  readonly contacts: ContactDirectory;
  readonly email: EmailSender;
  readonly sms: SmsSender;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly resolveIdentity: IdentityResolver;
  readonly policy?: NotificationPolicy;
  /** How often the worker looks for due retries. */
  readonly retryIntervalMs?: number;
  /** Retries of a source event whose handling failed (users unreachable), before `<topic>.dlq`. */
  readonly consumerRetry?: RetryPolicy;
  /** The source topics and consumer group (default: user-, order-, payment-, shipping-events; group notifications). */
  readonly sourceTopics?: readonly string[];
  readonly consumerGroup?: string;
  /** Closed on stop (e.g. the SMTP pool). */
  readonly close?: () => Promise<void> | void;
  /** The retention sweeper's settings (docs: Retention); defaults when not given. */
  readonly retention?: RetentionSettings;
}

/**
 * The notifications context: NotificationService, the outbox relay of `notification-events`,
 * the consumer of the source topics and the delivery retry worker. Stopping stops the consumer
 * and the worker, then the relay and the database.
 */
export function notificationsModule(
  deps: NotificationsModuleDeps,
): ContextModule & { readonly store: MikroOrmNotificationStore; readonly useCases: NotificationsDeps } {
  const store = new MikroOrmNotificationStore(deps.db.em, notificationEventMapper);
  const useCases: NotificationsDeps = {
    store,
    contacts: deps.contacts,
    email: deps.email,
    sms: deps.sms,
    templates: createHandlebarsTemplateEngine(),
    clock: deps.clock,
    newId: randomId,
    policy: deps.policy ?? DEFAULT_NOTIFICATION_POLICY,
  };
  const retention = deps.retention ?? DEFAULT_RETENTION_SETTINGS;
  const relational = relationalContextModule({
    name: "notifications",
    db: deps.db,
    publisher: deps.publisher,
    logger: deps.logger,
    handlers: [
      serviceHandlers(NotificationService, notificationsHandlers(useCases), {
        logger: deps.logger,
        resolveIdentity: deps.resolveIdentity,
      }),
    ],
    background: async () => [
      startRetentionSweeper({
        context: "notifications",
        targets: messagingRetentionTargets(deps.db.em, retention),
        clock: deps.clock,
        settings: retention,
        logger: deps.logger,
      }),
      await subscribeToNotificationSources({
        consumer: deps.consumer,
        processedEvents: createMikroOrmProcessedEvents(deps.db.em),
        notifications: useCases,
        logger: deps.logger,
        ...(deps.consumerRetry ? { retry: deps.consumerRetry } : {}),
        ...(deps.sourceTopics ? { topics: deps.sourceTopics } : {}),
        ...(deps.consumerGroup ? { group: deps.consumerGroup } : {}),
      }),
      startDeliveryWorker(useCases, { intervalMs: deps.retryIntervalMs ?? 1_000, logger: deps.logger }),
      // The senders close once nothing sends any more, before the relay and the database.
      { stop: async () => await deps.close?.() },
    ],
  });
  return { ...relational, store, useCases };
}
