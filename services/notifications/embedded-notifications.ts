import type { Transport } from "@connectrpc/connect";
import { z } from "zod";
import type { Clock } from "../../core/kit/clock.ts";
import type { EventConsumer } from "../../core/kit/event-consumer.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import { maskRecipient } from "../../core/notifications/deliveries.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { createMemoryEmailSender } from "../../adapters/email/memory-email-sender.ts";
import { createSmtpEmailSender } from "../../adapters/email/smtp-email-sender.ts";
import { cachedContactDirectory } from "../../adapters/memory/notifications/cached-contact-directory.ts";
import { openSqlDatabase, type SqlDatabaseLocation } from "../../adapters/mikro-orm/sql-database.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import { createRpcContactDirectory } from "../../adapters/rpc/notifications/rpc-contact-directory.ts";
import { createSandboxSmsSender } from "../../adapters/sms/sandbox-sms-sender.ts";
import { smtpConfigFields } from "./notifications-config.ts";
import { notificationEntities, notificationsModule } from "./notifications-module.ts";

/**
 * Notifications in the embedded process: its own SQLite file, events from the in-process bus,
 * contacts from users in-process. Mail goes to the SMTP server named by SHOPMESH_SMTP_HOST/PORT
 * when set (e.g. the local Mailpit: `set -a; source .infra/env; set +a`); otherwise it is kept
 * in memory and only its subject and masked recipient are logged (never the body: it may carry
 * a single-use token). SMS go to the sandbox.
 */
export async function embeddedNotificationsModule(deps: {
  readonly location: SqlDatabaseLocation;
  readonly publisher: EventPublisher;
  readonly consumer: EventConsumer;
  readonly users: Transport;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly resolveIdentity: IdentityResolver;
}) {
  const smtp = readConfig(z.object(smtpConfigFields));
  const email = smtp.SHOPMESH_SMTP_HOST
    ? createSmtpEmailSender({
        host: smtp.SHOPMESH_SMTP_HOST,
        port: smtp.SHOPMESH_SMTP_PORT,
        secure: smtp.SHOPMESH_SMTP_SECURE,
        user: smtp.SHOPMESH_SMTP_USER,
        password: smtp.SHOPMESH_SMTP_PASSWORD,
        from: smtp.SHOPMESH_SMTP_FROM,
        timeoutMs: smtp.SHOPMESH_SMTP_TIMEOUT_MS,
      })
    : createMemoryEmailSender({
        limit: 200,
        onSend: (m) =>
          deps.logger.info({ to: maskRecipient("email", m.to), subject: m.subject }, "email kept in memory (no SMTP configured)"),
      });
  return notificationsModule({
    db: await openSqlDatabase(deps.location, notificationEntities),
    publisher: deps.publisher,
    consumer: deps.consumer,
    contacts: cachedContactDirectory(createRpcContactDirectory(deps.users), { ttlMs: 30_000, clock: deps.clock }),
    email,
    sms: createSandboxSmsSender(),
    clock: deps.clock,
    logger: deps.logger,
    resolveIdentity: deps.resolveIdentity,
    close: () => ("close" in email ? email.close() : undefined),
  });
}
