import { fromBinary } from "@bufbuild/protobuf";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { isDomainError } from "../../../core/kit/domain-error.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import type { DeadLetter, Delivery } from "../../../core/notifications/deliveries.ts";
import type { NotificationStore } from "../../../core/notifications/notification-store.ts";
import { NotificationFailedSchema, NotificationSentSchema } from "../../../gen/shop/events/v1/notification_events_pb.ts";

export interface NotificationStoreHarness {
  readonly store: NotificationStore;
  recordedEvents(): Promise<IntegrationEvent[]>;
  dispose(): Promise<void>;
}

const A = "tenant-a" as TenantId;
const B = "tenant-b" as TenantId;
const t0 = new Date("2026-11-01T10:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const ctxOf = (tenantId: TenantId): RequestContext => ({
  tenantId,
  caller: undefined,
  correlationId: "corr-1",
  signal: new AbortController().signal,
});

let seq = 0;
function delivery(overrides: Partial<Delivery> = {}): Delivery {
  seq++;
  return {
    deliveryId: `d-${seq}-${Math.random().toString(36).slice(2, 8)}`,
    tenantId: A,
    dedupeKey: `e-${seq}`,
    sourceEventId: `e-${seq}`,
    sourceEventType: "shop.events.v1.OrderConfirmed",
    type: "order_confirmed",
    channel: "email",
    userId: "u-1",
    recipient: "jane@example.com",
    recipientMasked: "j***@example.com",
    status: "pending",
    attemptCount: 0,
    lastError: "",
    providerMessageId: "",
    createdAt: t0,
    sentAt: undefined,
    nextAttemptAt: t0,
    leaseUntil: undefined,
    content: { subject: "Order o-1", text: "Thanks", html: "<p>Thanks</p>" },
    ...overrides,
  };
}

/** The NotificationStore contract, run against every adapter (memory, MikroORM on SQLite and MariaDB). */
export function notificationStoreContract(name: string, open: () => Promise<NotificationStoreHarness>): void {
  describe(`NotificationStore contract: ${name}`, () => {
    let h: NotificationStoreHarness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => {
      await h.dispose();
    });

    it("a second delivery for the same (tenant, event, channel) is not written; the first comes back", async () => {
      const first = delivery({ dedupeKey: "evt-1", sourceEventId: "evt-1" });
      expect((await h.store.addDelivery(ctxOf(A), first)).created).toBe(true);
      const again = await h.store.addDelivery(ctxOf(A), delivery({ dedupeKey: "evt-1", sourceEventId: "evt-1" }));
      expect(again.created).toBe(false);
      expect(again.delivery.deliveryId).toBe(first.deliveryId);
      expect(again.delivery.content).toEqual(first.content);
      expect((await h.store.addDelivery(ctxOf(A), delivery({ dedupeKey: "evt-1", channel: "sms" }))).created).toBe(true);
      expect((await h.store.addDelivery(ctxOf(B), delivery({ tenantId: B, dedupeKey: "evt-1" }))).created).toBe(true);
    });

    it("a claim holds a delivery until its lease expires; final, foreign or unknown ones cannot be claimed", async () => {
      const d = delivery();
      await h.store.addDelivery(ctxOf(A), d);
      expect(await h.store.claimDelivery(B, d.deliveryId, t0, at(60_000))).toBeUndefined();
      const claimed = await h.store.claimDelivery(A, d.deliveryId, t0, at(60_000));
      expect(claimed?.leaseUntil?.getTime()).toBe(at(60_000).getTime());
      expect(await h.store.claimDelivery(A, d.deliveryId, at(1_000), at(61_000))).toBeUndefined();
      expect(await h.store.dueDeliveries(at(1_000), 10)).toEqual([]);
      expect(await h.store.claimDelivery(A, d.deliveryId, at(60_000), at(120_000))).toBeDefined();
      await h.store.recordAttempt(ctxOf(A), {
        delivery: { ...d, status: "sent", attemptCount: 1, sentAt: at(60_001), leaseUntil: undefined, content: undefined },
        events: [],
      });
      expect(await h.store.claimDelivery(A, d.deliveryId, at(999_999), at(999_999))).toBeUndefined();
      expect(await h.store.claimDelivery(A, "no-such-delivery", t0, at(1))).toBeUndefined();
    });

    it("due deliveries: pending or retrying, due, not leased, oldest first, of every tenant", async () => {
      const later = delivery({ nextAttemptAt: at(5_000), status: "retrying" });
      const now = delivery({ tenantId: B, nextAttemptAt: at(0) });
      const future = delivery({ nextAttemptAt: at(60_000), status: "retrying" });
      const skipped = delivery({ status: "skipped_opted_out", nextAttemptAt: undefined, content: undefined });
      for (const d of [later, now, future, skipped]) await h.store.addDelivery(ctxOf(d.tenantId), d);
      expect(await h.store.dueDeliveries(at(10_000), 10)).toEqual([
        { tenantId: B, deliveryId: now.deliveryId },
        { tenantId: A, deliveryId: later.deliveryId },
      ]);
      expect(await h.store.dueDeliveries(at(10_000), 1)).toHaveLength(1);
    });

    it("an attempt's outcome, dead letter and events are stored together", async () => {
      const d = delivery();
      await h.store.addDelivery(ctxOf(A), d);
      await h.store.claimDelivery(A, d.deliveryId, t0, at(60_000));
      const failed: Delivery = { ...d, status: "dead_lettered", attemptCount: 3, lastError: "Error: 421", leaseUntil: undefined };
      const deadLetter: DeadLetter = {
        deadLetterId: `dl-${d.deliveryId}`,
        tenantId: A,
        deliveryId: d.deliveryId,
        failureReason: "3 attempts failed; last: Error: 421",
        createdAt: at(1),
        retryDeliveryId: "",
        retriedAt: undefined,
      };
      await h.store.recordAttempt(ctxOf(A), {
        delivery: failed,
        deadLetter,
        events: [{ type: "NotificationFailed", delivery: failed, error: "Error: 421", deadLettered: true }],
      });
      expect(await h.store.findDelivery(A, d.deliveryId)).toMatchObject({
        status: "dead_lettered",
        attemptCount: 3,
        lastError: "Error: 421",
      });
      expect(await h.store.findDelivery(B, d.deliveryId)).toBeUndefined();
      const letters = await h.store.listDeadLetters(A, false, 10, undefined);
      expect(letters.items.map((i) => [i.deadLetter.deadLetterId, i.delivery.deliveryId])).toEqual([
        [deadLetter.deadLetterId, d.deliveryId],
      ]);
      expect((await h.store.listDeadLetters(B, true, 10, undefined)).items).toEqual([]);
      const events = await h.recordedEvents();
      expect(events.map((e) => [e.type, e.topic, e.key, e.tenantId])).toEqual([
        [NotificationFailedSchema.typeName, "notification-events", d.deliveryId, A],
      ]);
      const payload = fromBinary(NotificationFailedSchema, events[0]?.payload ?? new Uint8Array());
      expect(payload).toMatchObject({
        deliveryId: d.deliveryId,
        notificationType: "ORDER_CONFIRMED",
        channel: "EMAIL",
        deadLettered: true,
      });
      expect(NotificationSentSchema.typeName).toBe("shop.events.v1.NotificationSent");
    });

    it("a dead letter is retried once: a replay returns the same retry delivery; other tenants see nothing", async () => {
      const d = delivery({ status: "dead_lettered", attemptCount: 3 });
      await h.store.addDelivery(ctxOf(A), d);
      await h.store.recordAttempt(ctxOf(A), {
        delivery: d,
        deadLetter: {
          deadLetterId: `dl-${d.deliveryId}`,
          tenantId: A,
          deliveryId: d.deliveryId,
          failureReason: "x",
          createdAt: t0,
          retryDeliveryId: "",
          retriedAt: undefined,
        },
        events: [],
      });
      const make = (failed: Delivery): Delivery => ({
        ...failed,
        deliveryId: `r-${failed.deliveryId}`,
        dedupeKey: `retry:dl-${failed.deliveryId}`,
        status: "pending",
        attemptCount: 0,
      });
      expect(await h.store.retryDeadLetter(B, `dl-${d.deliveryId}`, make, at(5))).toBeUndefined();
      const first = await h.store.retryDeadLetter(A, `dl-${d.deliveryId}`, make, at(5));
      expect(first?.retry).toMatchObject({ deliveryId: `r-${d.deliveryId}`, status: "pending", content: d.content });
      expect(first?.deadLetter).toMatchObject({ retryDeliveryId: `r-${d.deliveryId}` });
      let calls = 0;
      const replay = await h.store.retryDeadLetter(
        A,
        `dl-${d.deliveryId}`,
        (f) => {
          calls++;
          return make(f);
        },
        at(9),
      );
      expect(calls).toBe(0);
      expect(replay?.retry.deliveryId).toBe(`r-${d.deliveryId}`);
      expect(replay?.deadLetter.retriedAt?.getTime()).toBe(at(5).getTime());
      expect((await h.store.listDeadLetters(A, false, 10, undefined)).items).toEqual([]);
      expect((await h.store.listDeadLetters(A, true, 10, undefined)).items).toHaveLength(1);
      expect(await h.store.retryDeadLetter(A, "dl-unknown", make, at(5))).toBeUndefined();
    });

    it("lists deliveries newest first with filters and pages, within the tenant only", async () => {
      const made: Delivery[] = [];
      for (let i = 0; i < 5; i++) {
        const d = delivery({ userId: i % 2 ? "u-odd" : "u-even", type: i === 4 ? "order_shipped" : "order_confirmed" });
        made.push(d);
        await h.store.addDelivery(ctxOf(A), d);
      }
      await h.store.addDelivery(ctxOf(B), delivery({ tenantId: B }));
      const page1 = await h.store.listDeliveries(A, {}, 2, undefined);
      expect(page1.items.map((d) => d.deliveryId)).toEqual([made[4]?.deliveryId, made[3]?.deliveryId]);
      const page2 = await h.store.listDeliveries(A, {}, 2, page1.nextPageToken);
      const page3 = await h.store.listDeliveries(A, {}, 2, page2.nextPageToken);
      expect([...page2.items, ...page3.items].map((d) => d.deliveryId)).toEqual(
        [made[2], made[1], made[0]].map((d) => d?.deliveryId),
      );
      expect(page3.nextPageToken).toBeUndefined();
      expect((await h.store.listDeliveries(A, { userId: "u-odd" }, 10, undefined)).items).toHaveLength(2);
      expect((await h.store.listDeliveries(A, { type: "order_shipped" }, 10, undefined)).items).toHaveLength(1);
      expect((await h.store.listDeliveries(A, { sourceEventId: made[0]?.sourceEventId }, 10, undefined)).items).toHaveLength(1);
      expect((await h.store.listDeliveries(A, { status: "sent" }, 10, undefined)).items).toHaveLength(0);
      expect((await h.store.listDeliveries(B, {}, 10, undefined)).items).toHaveLength(1);
    });

    it("templates: create with version 0, replace with the current version, stale is a conflict, per tenant", async () => {
      const key = { type: "order_shipped" as const, channel: "email" as const, locale: "de" };
      const content = { subject: "Versandt {{order_id}}", bodyText: "Text", bodyHtml: "<p>x</p>" };
      const v1 = await h.store.saveTemplate(A, key, content, 0, t0);
      expect(v1).toMatchObject({ ...key, ...content, version: 1 });
      const stale = await h.store.saveTemplate(A, key, content, 0, t0).catch((e: unknown) => e);
      expect(isDomainError(stale) && stale.kind).toBe("conflict");
      const wrong = await h.store.saveTemplate(A, key, content, 7, t0).catch((e: unknown) => e);
      expect(isDomainError(wrong) && wrong.kind).toBe("conflict");
      const v2 = await h.store.saveTemplate(A, key, { ...content, subject: "Neu" }, 1, at(1));
      expect(v2.version).toBe(2);
      await h.store.saveTemplate(A, { ...key, locale: "en" }, content, 0, t0);
      await h.store.saveTemplate(B, key, content, 0, t0);
      expect(
        (await h.store.overridesOf(A, "order_shipped", "email")).map((t) => [t.locale, t.version, t.subject]).sort(),
      ).toEqual([
        ["de", 2, "Neu"],
        ["en", 1, "Versandt {{order_id}}"],
      ]);
      expect((await h.store.listTemplates(A, { channel: "sms" })).length).toBe(0);
      expect((await h.store.listTemplates(A, {})).map((t) => t.locale)).toEqual(["de", "en"]);
      expect(await h.store.deleteTemplate(A, key)).toBe(true);
      expect(await h.store.deleteTemplate(A, key)).toBe(false);
      expect((await h.store.listTemplates(B, {})).map((t) => t.locale)).toEqual(["de"]);
    });
  });
}
