import { type InferEntity, LockMode, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import type { DeadLetter, Delivery, DeliveryStatus, RenderedContent } from "../../../core/notifications/deliveries.ts";
import type { NotificationEvent } from "../../../core/notifications/notification-events.ts";
import type { AttemptOutcome, DeliveryFilter, NotificationStore, Page } from "../../../core/notifications/notification-store.ts";
import type { Channel, NotificationType } from "../../../core/notifications/notification-types.ts";
import {
  type StoredTemplate,
  staleTemplate,
  type TemplateContent,
  type TemplateKey,
} from "../../../core/notifications/templates.ts";
import { appendMappedToOutbox } from "../mikro-orm-outbox.ts";
import { afterSequence, sequencePage } from "../sequence-page.ts";
import { NotificationDeadLetterRecord, NotificationDeliveryRecord, NotificationTemplateRecord } from "./notification-records.ts";

type TemplateRow = InferEntity<typeof NotificationTemplateRecord>;
type DeliveryRow = InferEntity<typeof NotificationDeliveryRecord>;
type DeadLetterRow = InferEntity<typeof NotificationDeadLetterRecord>;

const PENDING_OR_RETRYING: DeliveryStatus[] = ["pending", "retrying"];

/**
 * Notifications in a SQL database (MariaDB, or SQLite embedded). A redelivered event meets the
 * unique (tenant, dedupe key, channel) key and gets the existing delivery back; claiming is one
 * conditional UPDATE on status and lease, so two workers never attempt one delivery at once.
 */
export class MikroOrmNotificationStore implements NotificationStore {
  readonly #em: SqlEntityManager;
  readonly #toEvent: EventMapper<NotificationEvent>;

  constructor(em: SqlEntityManager, toEvent: EventMapper<NotificationEvent>) {
    this.#em = em;
    this.#toEvent = toEvent;
  }

  async overridesOf(tenantId: TenantId, type: NotificationType, channel: Channel): Promise<StoredTemplate[]> {
    const rows = await this.#em
      .fork()
      .find(NotificationTemplateRecord, { tenantId, type, channel }, { disableIdentityMap: true });
    return rows.map(toTemplate);
  }

  async saveTemplate(
    tenantId: TenantId,
    key: TemplateKey,
    content: TemplateContent,
    expectedVersion: number,
    at: Date,
  ): Promise<StoredTemplate> {
    const fields = { subject: content.subject, bodyText: content.bodyText, bodyHtml: content.bodyHtml, updatedAt: at };
    const id = { tenantId, type: key.type, channel: key.channel, locale: key.locale };
    const em = this.#em.fork();
    if (expectedVersion === 0) {
      try {
        await em.insert(NotificationTemplateRecord, { ...id, ...fields, version: 1 });
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        throw staleTemplate(await this.#versionOf(id));
      }
    } else {
      const changed = await em.nativeUpdate(
        NotificationTemplateRecord,
        { ...id, version: expectedVersion },
        {
          ...fields,
          version: expectedVersion + 1,
        },
      );
      if (changed !== 1) throw staleTemplate(await this.#versionOf(id));
    }
    return { ...id, ...fields, tenantId, type: key.type, channel: key.channel, version: expectedVersion + 1 };
  }

  async #versionOf(id: { tenantId: string; type: string; channel: string; locale: string }): Promise<number> {
    const row = await this.#em.fork().findOne(NotificationTemplateRecord, id, { disableIdentityMap: true });
    return row?.version ?? 0;
  }

  async deleteTemplate(tenantId: TenantId, key: TemplateKey): Promise<boolean> {
    const deleted = await this.#em
      .fork()
      .nativeDelete(NotificationTemplateRecord, { tenantId, type: key.type, channel: key.channel, locale: key.locale });
    return deleted > 0;
  }

  async listTemplates(tenantId: TenantId, filter: { type?: NotificationType; channel?: Channel }): Promise<StoredTemplate[]> {
    const rows = await this.#em
      .fork()
      .find(
        NotificationTemplateRecord,
        { tenantId, ...(filter.type ? { type: filter.type } : {}), ...(filter.channel ? { channel: filter.channel } : {}) },
        { orderBy: { type: "asc", channel: "asc", locale: "asc" }, disableIdentityMap: true },
      );
    return rows.map(toTemplate);
  }

  async addDelivery(_ctx: RequestContext, delivery: Delivery): Promise<{ delivery: Delivery; created: boolean }> {
    try {
      await this.#em.fork().insert(NotificationDeliveryRecord, toDeliveryFields(delivery));
      return { delivery, created: true };
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const existing = await this.#em
        .fork()
        .findOne(
          NotificationDeliveryRecord,
          { tenantId: delivery.tenantId, dedupeKey: delivery.dedupeKey, channel: delivery.channel },
          { disableIdentityMap: true },
        );
      if (!existing) throw error;
      return { delivery: toDelivery(existing), created: false };
    }
  }

  async claimDelivery(tenantId: TenantId, deliveryId: string, now: Date, leaseUntil: Date): Promise<Delivery | undefined> {
    const em = this.#em.fork();
    const changed = await em.nativeUpdate(
      NotificationDeliveryRecord,
      {
        tenantId,
        deliveryId,
        status: { $in: PENDING_OR_RETRYING },
        $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }],
      },
      { leaseUntil },
    );
    if (changed !== 1) return undefined;
    const row = await em.findOne(NotificationDeliveryRecord, { tenantId, deliveryId }, { disableIdentityMap: true });
    return row ? toDelivery(row) : undefined;
  }

  async recordAttempt(ctx: RequestContext, outcome: AttemptOutcome): Promise<void> {
    const toEvent = this.#toEvent;
    await this.#em.fork().transactional(async (em) => {
      const { sequence: _, ...fields } = { sequence: 0, ...toDeliveryFields(outcome.delivery) };
      await em.nativeUpdate(
        NotificationDeliveryRecord,
        { tenantId: outcome.delivery.tenantId, deliveryId: outcome.delivery.deliveryId },
        fields,
      );
      if (outcome.deadLetter) await em.insert(NotificationDeadLetterRecord, toDeadLetterFields(outcome.deadLetter));
      await appendMappedToOutbox(em, toEvent, ctx, outcome.events);
    });
  }

  async dueDeliveries(now: Date, limit: number): Promise<{ tenantId: TenantId; deliveryId: string }[]> {
    const rows = await this.#em.fork().find(
      NotificationDeliveryRecord,
      {
        status: { $in: PENDING_OR_RETRYING },
        nextAttemptAt: { $lte: now },
        $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }],
      },
      { orderBy: { nextAttemptAt: "asc", sequence: "asc" }, limit, fields: ["tenantId", "deliveryId"], disableIdentityMap: true },
    );
    return rows.map((row) => ({ tenantId: row.tenantId as TenantId, deliveryId: row.deliveryId }));
  }

  async findDelivery(tenantId: TenantId, deliveryId: string): Promise<Delivery | undefined> {
    const row = await this.#em.fork().findOne(NotificationDeliveryRecord, { tenantId, deliveryId }, { disableIdentityMap: true });
    return row ? toDelivery(row) : undefined;
  }

  async listDeliveries(
    tenantId: TenantId,
    filter: DeliveryFilter,
    pageSize: number,
    pageToken: string | undefined,
  ): Promise<Page<Delivery>> {
    const rows = await this.#em.fork().find(
      NotificationDeliveryRecord,
      {
        tenantId,
        ...(filter.userId ? { userId: filter.userId } : {}),
        ...(filter.sourceEventId ? { sourceEventId: filter.sourceEventId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.type ? { type: filter.type } : {}),
        ...afterSequence(pageToken),
      },
      { orderBy: { sequence: "desc" }, limit: pageSize + 1, disableIdentityMap: true },
    );
    return sequencePage(rows, pageSize, (page) => page.map(toDelivery));
  }

  async listDeadLetters(
    tenantId: TenantId,
    includeRetried: boolean,
    pageSize: number,
    pageToken: string | undefined,
  ): Promise<Page<{ deadLetter: DeadLetter; delivery: Delivery }>> {
    const em = this.#em.fork();
    const rows = await em.find(
      NotificationDeadLetterRecord,
      {
        tenantId,
        ...(includeRetried ? {} : { retryDeliveryId: "" }),
        ...afterSequence(pageToken),
      },
      { orderBy: { sequence: "desc" }, limit: pageSize + 1, disableIdentityMap: true },
    );
    const page = rows.slice(0, pageSize);
    const deliveries = page.length
      ? await em.find(
          NotificationDeliveryRecord,
          { tenantId, deliveryId: { $in: page.map((r) => r.deliveryId) } },
          { disableIdentityMap: true },
        )
      : [];
    const byId = new Map(deliveries.map((d) => [d.deliveryId, toDelivery(d)]));
    return sequencePage(rows, pageSize, (page) =>
      page.flatMap((row) => {
        const delivery = byId.get(row.deliveryId);
        return delivery ? [{ deadLetter: toDeadLetter(row), delivery }] : [];
      }),
    );
  }

  async retryDeadLetter(
    tenantId: TenantId,
    deadLetterId: string,
    makeDelivery: (failed: Delivery) => Delivery,
    at: Date,
  ): Promise<{ deadLetter: DeadLetter; failed: Delivery; retry: Delivery } | undefined> {
    return this.#em.fork().transactional(async (em) => {
      const dead = await em.findOne(
        NotificationDeadLetterRecord,
        { tenantId, deadLetterId },
        { lockMode: LockMode.PESSIMISTIC_WRITE, disableIdentityMap: true },
      );
      if (!dead) return undefined;
      const failedRow = await em.findOne(
        NotificationDeliveryRecord,
        { tenantId, deliveryId: dead.deliveryId },
        { disableIdentityMap: true },
      );
      if (!failedRow) return undefined;
      const failed = toDelivery(failedRow);
      if (dead.retryDeliveryId) {
        const retryRow = await em.findOne(
          NotificationDeliveryRecord,
          { tenantId, deliveryId: dead.retryDeliveryId },
          { disableIdentityMap: true },
        );
        if (!retryRow) throw new Error(`retry delivery ${dead.retryDeliveryId} of dead letter ${deadLetterId} is missing`);
        return { deadLetter: toDeadLetter(dead), failed, retry: toDelivery(retryRow) };
      }
      const retry = makeDelivery(failed);
      await em.insert(NotificationDeliveryRecord, toDeliveryFields(retry));
      await em.nativeUpdate(
        NotificationDeadLetterRecord,
        { tenantId, deadLetterId },
        { retryDeliveryId: retry.deliveryId, retriedAt: at },
      );
      return { deadLetter: toDeadLetter({ ...dead, retryDeliveryId: retry.deliveryId, retriedAt: at }), failed, retry };
    });
  }
}

function toTemplate(row: TemplateRow): StoredTemplate {
  return {
    tenantId: row.tenantId as TenantId,
    type: row.type as NotificationType,
    channel: row.channel as Channel,
    locale: row.locale,
    subject: row.subject,
    bodyText: row.bodyText,
    bodyHtml: row.bodyHtml,
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

function toDeliveryFields(d: Delivery) {
  return {
    deliveryId: d.deliveryId,
    tenantId: d.tenantId,
    dedupeKey: d.dedupeKey,
    sourceEventId: d.sourceEventId,
    sourceEventType: d.sourceEventType,
    type: d.type,
    channel: d.channel,
    userId: d.userId,
    recipient: d.recipient,
    recipientMasked: d.recipientMasked,
    status: d.status,
    attemptCount: d.attemptCount,
    lastError: d.lastError,
    providerMessageId: d.providerMessageId,
    createdAt: d.createdAt,
    sentAt: d.sentAt ?? null,
    nextAttemptAt: d.nextAttemptAt ?? null,
    leaseUntil: d.leaseUntil ?? null,
    content: d.content ? JSON.stringify(d.content) : null,
  };
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    deliveryId: row.deliveryId,
    tenantId: row.tenantId as TenantId,
    dedupeKey: row.dedupeKey,
    sourceEventId: row.sourceEventId,
    sourceEventType: row.sourceEventType,
    type: row.type as NotificationType,
    channel: row.channel as Channel,
    userId: row.userId,
    recipient: row.recipient,
    recipientMasked: row.recipientMasked,
    status: row.status as DeliveryStatus,
    attemptCount: row.attemptCount,
    lastError: row.lastError,
    providerMessageId: row.providerMessageId,
    createdAt: row.createdAt,
    sentAt: row.sentAt ?? undefined,
    nextAttemptAt: row.nextAttemptAt ?? undefined,
    leaseUntil: row.leaseUntil ?? undefined,
    content: row.content ? (JSON.parse(row.content) as RenderedContent) : undefined,
  };
}

function toDeadLetterFields(d: DeadLetter) {
  return {
    deadLetterId: d.deadLetterId,
    tenantId: d.tenantId,
    deliveryId: d.deliveryId,
    failureReason: d.failureReason.slice(0, 600),
    createdAt: d.createdAt,
    retryDeliveryId: d.retryDeliveryId,
    retriedAt: d.retriedAt ?? null,
  };
}

function toDeadLetter(row: Omit<DeadLetterRow, "sequence"> & { sequence?: number }): DeadLetter {
  return {
    deadLetterId: row.deadLetterId,
    tenantId: row.tenantId as TenantId,
    deliveryId: row.deliveryId,
    failureReason: row.failureReason,
    createdAt: row.createdAt,
    retryDeliveryId: row.retryDeliveryId,
    retriedAt: row.retriedAt ?? undefined,
  };
}
