import { defineEntity, p } from "@mikro-orm/core";

/** A tenant's override of a built-in template; `version` bumps on every change. */
export const NotificationTemplateRecord = defineEntity({
  name: "NotificationTemplateRecord",
  tableName: "notification_templates",
  properties: {
    tenantId: p.string().length(63).primary(),
    type: p.string().length(32).primary(),
    channel: p.string().length(8).primary(),
    locale: p.string().length(35).primary(),
    subject: p.string().length(200),
    bodyText: p.text(),
    bodyHtml: p.text(),
    version: p.integer(),
    updatedAt: p.datetime(3),
  },
});

/**
 * One delivery per (tenant, dedupe key, channel): the unique key is what makes a redelivered
 * event a no-op. The rendered content is kept until the delivery is final (then null).
 */
export const NotificationDeliveryRecord = defineEntity({
  name: "NotificationDeliveryRecord",
  tableName: "notification_deliveries",
  properties: {
    sequence: p.bigint("number").primary().autoincrement(),
    deliveryId: p.string().length(64).unique(),
    tenantId: p.string().length(63),
    dedupeKey: p.string().length(100),
    sourceEventId: p.string().length(64),
    sourceEventType: p.string().length(128),
    type: p.string().length(32),
    channel: p.string().length(8),
    userId: p.string().length(64),
    recipient: p.string().length(320),
    recipientMasked: p.string().length(320),
    status: p.string().length(24),
    attemptCount: p.integer(),
    lastError: p.string().length(500),
    providerMessageId: p.string().length(200),
    createdAt: p.datetime(3),
    sentAt: p.datetime(3).nullable(),
    nextAttemptAt: p.datetime(3).nullable(),
    leaseUntil: p.datetime(3).nullable(),
    content: p.text().nullable(),
  },
  uniques: [{ properties: ["tenantId", "dedupeKey", "channel"] }],
  indexes: [{ properties: ["status", "nextAttemptAt"] }, { properties: ["tenantId", "sequence"] }],
});

/** A delivery that failed every attempt; `retryDeliveryId` is set once by RetryDeadLetter. */
export const NotificationDeadLetterRecord = defineEntity({
  name: "NotificationDeadLetterRecord",
  tableName: "notification_dead_letters",
  properties: {
    sequence: p.bigint("number").primary().autoincrement(),
    deadLetterId: p.string().length(64).unique(),
    tenantId: p.string().length(63),
    deliveryId: p.string().length(64),
    failureReason: p.string().length(600),
    createdAt: p.datetime(3),
    retryDeliveryId: p.string().length(64),
    retriedAt: p.datetime(3).nullable(),
  },
  indexes: [{ properties: ["tenantId", "sequence"] }],
});

export const notificationEntities = [NotificationTemplateRecord, NotificationDeliveryRecord, NotificationDeadLetterRecord];
