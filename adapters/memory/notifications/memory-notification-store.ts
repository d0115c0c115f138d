import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { decodePageToken, encodePageToken } from "../../../core/kit/page-token.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import type { DeadLetter, Delivery } from "../../../core/notifications/deliveries.ts";
import type { NotificationEvent } from "../../../core/notifications/notification-events.ts";
import type { NotificationStore, Page } from "../../../core/notifications/notification-store.ts";
import { type StoredTemplate, staleTemplate, type TemplateKey } from "../../../core/notifications/templates.ts";

const k = (...parts: string[]) => parts.join("\u0000");
const templateKey = (tenantId: string, key: TemplateKey) => k(tenantId, key.type, key.channel, key.locale);

type Row = Delivery & { seq: number };
type DeadRow = DeadLetter & { seq: number };

/** Notifications in Maps: unit tests, and the reference the SQL adapter is held to (tests/contract). */
export class MemoryNotificationStore implements NotificationStore {
  readonly #templates = new Map<string, StoredTemplate>();
  readonly #deliveries = new Map<string, Row>();
  readonly #dedupe = new Map<string, string>();
  readonly #deadLetters = new Map<string, DeadRow>();
  readonly #outbox: IntegrationEvent[] = [];
  readonly #toEvent: EventMapper<NotificationEvent> | undefined;
  #seq = 0;

  constructor(toEvent?: EventMapper<NotificationEvent>) {
    this.#toEvent = toEvent;
  }

  get outbox(): readonly IntegrationEvent[] {
    return this.#outbox;
  }

  async overridesOf(tenantId: TenantId, type: StoredTemplate["type"], channel: StoredTemplate["channel"]) {
    return [...this.#templates.values()].filter((t) => t.tenantId === tenantId && t.type === type && t.channel === channel);
  }

  async saveTemplate(
    tenantId: TenantId,
    key: TemplateKey,
    content: { subject: string; bodyText: string; bodyHtml: string },
    expectedVersion: number,
    at: Date,
  ): Promise<StoredTemplate> {
    const id = templateKey(tenantId, key);
    const current = this.#templates.get(id);
    if ((current?.version ?? 0) !== expectedVersion) throw staleTemplate(current?.version ?? 0);
    const saved: StoredTemplate = {
      tenantId,
      type: key.type,
      channel: key.channel,
      locale: key.locale,
      subject: content.subject,
      bodyText: content.bodyText,
      bodyHtml: content.bodyHtml,
      version: expectedVersion + 1,
      updatedAt: at,
    };
    this.#templates.set(id, saved);
    return saved;
  }

  async deleteTemplate(tenantId: TenantId, key: TemplateKey) {
    return this.#templates.delete(templateKey(tenantId, key));
  }

  async listTemplates(tenantId: TenantId, filter: { type?: StoredTemplate["type"]; channel?: StoredTemplate["channel"] }) {
    return [...this.#templates.values()]
      .filter(
        (t) =>
          t.tenantId === tenantId &&
          (!filter.type || t.type === filter.type) &&
          (!filter.channel || t.channel === filter.channel),
      )
      .sort((a, b) => (templateKey("", a) < templateKey("", b) ? -1 : 1));
  }

  async addDelivery(_ctx: unknown, delivery: Delivery) {
    const dedupe = k(delivery.tenantId, delivery.dedupeKey, delivery.channel);
    const existing = this.#dedupe.get(dedupe);
    if (existing) return { delivery: this.#strip(this.#deliveries.get(existing) as Row), created: false };
    this.#deliveries.set(delivery.deliveryId, { ...delivery, seq: ++this.#seq });
    this.#dedupe.set(dedupe, delivery.deliveryId);
    return { delivery, created: true };
  }

  async claimDelivery(tenantId: TenantId, deliveryId: string, now: Date, leaseUntil: Date) {
    const row = this.#deliveries.get(deliveryId);
    if (!row || row.tenantId !== tenantId) return undefined;
    if (row.status !== "pending" && row.status !== "retrying") return undefined;
    if (row.leaseUntil && row.leaseUntil > now) return undefined;
    const claimed = { ...row, leaseUntil };
    this.#deliveries.set(deliveryId, claimed);
    return this.#strip(claimed);
  }

  async recordAttempt(
    ctx: Parameters<NotificationStore["recordAttempt"]>[0],
    outcome: Parameters<NotificationStore["recordAttempt"]>[1],
  ) {
    const row = this.#deliveries.get(outcome.delivery.deliveryId);
    if (!row) throw new Error(`delivery ${outcome.delivery.deliveryId} not found`);
    this.#deliveries.set(row.deliveryId, { ...outcome.delivery, seq: row.seq });
    if (outcome.deadLetter) this.#deadLetters.set(outcome.deadLetter.deadLetterId, { ...outcome.deadLetter, seq: ++this.#seq });
    if (this.#toEvent) for (const event of outcome.events) this.#outbox.push(this.#toEvent(event, ctx));
  }

  async dueDeliveries(now: Date, limit: number) {
    return [...this.#deliveries.values()]
      .filter(
        (d) =>
          (d.status === "pending" || d.status === "retrying") &&
          d.nextAttemptAt !== undefined &&
          d.nextAttemptAt <= now &&
          (!d.leaseUntil || d.leaseUntil <= now),
      )
      .sort((a, b) => (a.nextAttemptAt as Date).getTime() - (b.nextAttemptAt as Date).getTime() || a.seq - b.seq)
      .slice(0, limit)
      .map((d) => ({ tenantId: d.tenantId, deliveryId: d.deliveryId }));
  }

  async findDelivery(tenantId: TenantId, deliveryId: string) {
    const row = this.#deliveries.get(deliveryId);
    return row && row.tenantId === tenantId ? this.#strip(row) : undefined;
  }

  async listDeliveries(
    tenantId: TenantId,
    filter: Parameters<NotificationStore["listDeliveries"]>[1],
    pageSize: number,
    pageToken: string | undefined,
  ): Promise<Page<Delivery>> {
    const rows = [...this.#deliveries.values()].filter(
      (d) =>
        d.tenantId === tenantId &&
        (!filter.userId || d.userId === filter.userId) &&
        (!filter.sourceEventId || d.sourceEventId === filter.sourceEventId) &&
        (!filter.status || d.status === filter.status) &&
        (!filter.type || d.type === filter.type),
    );
    return pageNewestFirst(rows, pageSize, pageToken, (row) => this.#strip(row));
  }

  async listDeadLetters(tenantId: TenantId, includeRetried: boolean, pageSize: number, pageToken: string | undefined) {
    const rows = [...this.#deadLetters.values()].filter((d) => d.tenantId === tenantId && (includeRetried || !d.retryDeliveryId));
    return pageNewestFirst(rows, pageSize, pageToken, (row) => ({
      deadLetter: stripSeq(row),
      delivery: this.#strip(this.#deliveries.get(row.deliveryId) as Row),
    }));
  }

  async retryDeadLetter(tenantId: TenantId, deadLetterId: string, makeDelivery: (failed: Delivery) => Delivery, at: Date) {
    const dead = this.#deadLetters.get(deadLetterId);
    if (!dead || dead.tenantId !== tenantId) return undefined;
    const failed = this.#strip(this.#deliveries.get(dead.deliveryId) as Row);
    if (dead.retryDeliveryId) {
      return { deadLetter: stripSeq(dead), failed, retry: this.#strip(this.#deliveries.get(dead.retryDeliveryId) as Row) };
    }
    const retry = makeDelivery(failed);
    await this.addDelivery(undefined, retry);
    const marked = { ...dead, retryDeliveryId: retry.deliveryId, retriedAt: at };
    this.#deadLetters.set(deadLetterId, marked);
    return { deadLetter: stripSeq(marked), failed, retry };
  }

  #strip(row: Row): Delivery {
    return stripSeq(row);
  }
}

function stripSeq<T extends { seq: number }>(row: T): Omit<T, "seq"> {
  const { seq: _, ...rest } = row;
  return rest;
}

function pageNewestFirst<R extends { seq: number }, T>(
  rows: R[],
  pageSize: number,
  pageToken: string | undefined,
  map: (row: R) => T,
): Page<T> {
  const after = decodePageToken(pageToken);
  const before = after === undefined ? Number.POSITIVE_INFINITY : Number(after);
  const sorted = rows.filter((r) => r.seq < before).sort((a, b) => b.seq - a.seq);
  const items = sorted.slice(0, pageSize);
  const last = items.at(-1);
  return {
    items: items.map(map),
    nextPageToken: sorted.length > pageSize && last ? encodePageToken(String(last.seq)) : undefined,
  };
}
