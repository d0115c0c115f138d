import { describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import { sequentialIds } from "../../../core/kit/ids.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import { retryDelayMs } from "../../../core/kit/retry-policy.ts";
import { Roles } from "../../../core/kit/roles.ts";
import { retryDeadLetter, upsertTemplate, listDeadLetters } from "../../../core/notifications/notification-admin.ts";
import type { NotificationRequest } from "../../../core/notifications/notification-types.ts";
import { DEFAULT_NOTIFICATION_POLICY, type NotificationsDeps } from "../../../core/notifications/notifications-deps.ts";
import { acceptNotification, runDueDeliveries } from "../../../core/notifications/notify.ts";
import { defaultOptIn } from "../../../core/notifications/preference-rules.ts";
import type { Contact } from "../../../core/notifications/ports.ts";
import { createMemoryEmailSender } from "../../../adapters/email/memory-email-sender.ts";
import { MemoryNotificationStore } from "../../../adapters/memory/notifications/memory-notification-store.ts";
import { createSandboxSmsSender } from "../../../adapters/sms/sandbox-sms-sender.ts";
import { createHandlebarsTemplateEngine } from "../../../adapters/templates/handlebars-template-engine.ts";
import { domainFailure } from "../../support/domain-failure.ts";

const tenant = "acme" as TenantId;
const ctx = (roles: string[] = []): RequestContext => ({
  tenantId: tenant,
  caller: roles.length ? { userId: "admin-1", roles } : undefined,
  correlationId: "c-1",
  signal: new AbortController().signal,
});
const admin = ctx([Roles.tenantAdmin]);

function setup(contacts: Record<string, Partial<Contact> & { optIns?: Record<string, boolean> }> = {}) {
  const clock = fixedClock(new Date("2026-11-01T10:00:00.000Z"));
  const email = createMemoryEmailSender();
  const sms = createSandboxSmsSender();
  const store = new MemoryNotificationStore();
  const deps: NotificationsDeps = {
    store,
    contacts: {
      async find(_ctx, userId) {
        const c = contacts[userId];
        if (!c) return undefined;
        const optIns = c.optIns ?? {};
        return {
          userId,
          email: `${userId}@example.com`,
          phoneNumber: "",
          displayName: userId,
          locale: "",
          disabled: false,
          optedIn: (channel, category) => optIns[`${channel}/${category}`] ?? defaultOptIn(channel, category),
          ...c,
        };
      },
    },
    email,
    sms,
    templates: createHandlebarsTemplateEngine(),
    clock,
    newId: sequentialIds("n"),
    policy: { ...DEFAULT_NOTIFICATION_POLICY, retry: { maxAttempts: 3, initialDelayMs: 1_000, maxDelayMs: 60_000 } },
  };
  return { deps, clock, email, sms, store };
}

const confirmed = (userId: string): NotificationRequest => ({
  type: "order_confirmed",
  userId,
  variables: { order_id: "o-<1>", order_total: "EUR 12.50", line_count: "2" },
});

describe("acceptNotification", () => {
  it("when the same event arrives twice, then exactly one email is sent", async () => {
    const { deps, email } = setup({ jane: {} });
    const first = await acceptNotification(deps, ctx(), { id: "e-1", type: "OrderConfirmed" }, confirmed("jane"));
    const second = await acceptNotification(deps, ctx(), { id: "e-1", type: "OrderConfirmed" }, confirmed("jane"));
    expect(email.sent).toHaveLength(1);
    expect(first[0]?.status).toBe("sent");
    expect(second[0]?.deliveryId).toBe(first[0]?.deliveryId);
    expect(email.sent[0]).toMatchObject({
      to: "jane@example.com",
      subject: "Order o-<1> confirmed",
      messageId: `<${first[0]?.deliveryId}@notifications.shopmesh>`,
    });
    expect(email.sent[0]?.html).toContain("<b>o-&lt;1&gt;</b>");
  });

  it("when the user opted out of shipping updates, then nothing is sent and the delivery says why", async () => {
    const { deps, email } = setup({ jane: { optIns: { "email/shipping_updates": false } } });
    const [delivery] = await acceptNotification(
      deps,
      ctx(),
      { id: "e-2", type: "OrderDelivered" },
      { type: "order_delivered", userId: "jane", variables: { order_id: "o-1" } },
    );
    expect(delivery?.status).toBe("skipped_opted_out");
    expect(delivery?.content).toBeUndefined();
    expect(email.sent).toHaveLength(0);
  });

  it("when the tenant overrides a template for the user's language, then that one is used", async () => {
    const { deps, email } = setup({ jane: { locale: "de-CH" } });
    await upsertTemplate(deps, admin, {
      type: "order_confirmed",
      channel: "email",
      locale: "de",
      subject: "Bestellung {{order_id}}",
      bodyText: "Danke {{display_name}}",
      bodyHtml: "",
      expectedVersion: 0,
    });
    await acceptNotification(deps, ctx(), { id: "e-3", type: "OrderConfirmed" }, confirmed("jane"));
    expect(email.sent[0]).toMatchObject({ subject: "Bestellung o-<1>", text: "Danke jane" });
  });
});

describe("SMS", () => {
  it("when the user opted in to shipping updates by SMS and has a phone, then the sandbox gets the text too", async () => {
    const { deps, email, sms } = setup({ jane: { phoneNumber: "+15550100", optIns: { "sms/shipping_updates": true } } });
    const deliveries = await acceptNotification(
      deps,
      ctx(),
      { id: "e-sms", type: "OrderShipped" },
      {
        type: "order_shipped",
        userId: "jane",
        variables: { order_id: "o-9", carrier: "DHL", tracking_number: "T1", tracking_url: "" },
      },
    );
    expect(deliveries.map((d) => [d.channel, d.status, d.recipientMasked])).toEqual([
      ["email", "sent", "j***@example.com"],
      ["sms", "sent", "+1***0100"],
    ]);
    expect(email.sent).toHaveLength(1);
    expect(sms.sent.map((m) => [m.to, m.text])).toEqual([["+15550100", "Order o-9 shipped with DHL: T1"]]);
  });
});

describe("retries and dead letters", () => {
  it("backs off exponentially, dead-letters after the last attempt, and RetryDeadLetter sends it once", async () => {
    const { deps, clock, email, store } = setup({ jane: {} });
    const retry = deps.policy.retry;
    email.failNext(3);
    const [first] = await acceptNotification(deps, ctx(), { id: "e-4", type: "OrderConfirmed" }, confirmed("jane"));
    expect(first).toMatchObject({ status: "retrying", attemptCount: 1 });
    expect(first?.nextAttemptAt?.getTime()).toBe(clock.now().getTime() + retryDelayMs(retry, 1));

    const contextOf = () => ctx();
    expect(await runDueDeliveries(deps, contextOf)).toBe(0); // not due yet
    clock.advance(1_000);
    expect(await runDueDeliveries(deps, contextOf)).toBe(1);
    const second = await store.findDelivery(tenant, first?.deliveryId ?? "");
    expect(second).toMatchObject({ status: "retrying", attemptCount: 2 });
    expect(second?.nextAttemptAt?.getTime()).toBe(clock.now().getTime() + 2_000);
    clock.advance(2_000);
    await runDueDeliveries(deps, contextOf);
    const dead = await store.findDelivery(tenant, first?.deliveryId ?? "");
    expect(dead).toMatchObject({ status: "dead_lettered", attemptCount: 3 });
    expect(email.sent).toHaveLength(0);

    const letters = await listDeadLetters(deps, admin, { includeRetried: false });
    expect(letters.items).toHaveLength(1);
    const deadLetterId = letters.items[0]?.deadLetter.deadLetterId ?? "";
    const retried = await retryDeadLetter(deps, admin, deadLetterId);
    expect(retried.delivery.status).toBe("sent");
    expect(retried.deadLetter.retryDeliveryId).toBe(retried.delivery.deliveryId);
    const replay = await retryDeadLetter(deps, admin, deadLetterId);
    expect(replay.delivery.deliveryId).toBe(retried.delivery.deliveryId);
    expect(email.sent).toHaveLength(1);
    expect((await listDeadLetters(deps, admin, { includeRetried: false })).items).toHaveLength(0);
  });

  it("a delivery leased by a crashed attempt is taken again once the lease expires, with the same Message-ID", async () => {
    const { deps, clock, email, store } = setup({ jane: {} });
    const now = clock.now();
    await store.addDelivery(ctx(), {
      deliveryId: "d-crash",
      tenantId: tenant,
      dedupeKey: "e-5",
      sourceEventId: "e-5",
      sourceEventType: "OrderConfirmed",
      type: "order_confirmed",
      channel: "email",
      userId: "jane",
      recipient: "jane@example.com",
      recipientMasked: "j***@example.com",
      status: "pending",
      attemptCount: 0,
      lastError: "",
      providerMessageId: "",
      createdAt: now,
      sentAt: undefined,
      nextAttemptAt: now,
      leaseUntil: undefined,
      content: { subject: "s", text: "t", html: "" },
    });
    // the crashed process had claimed it
    expect(await store.claimDelivery(tenant, "d-crash", now, new Date(now.getTime() + deps.policy.leaseMs))).toBeDefined();
    expect(await runDueDeliveries(deps, () => ctx())).toBe(0);
    clock.advance(deps.policy.leaseMs);
    expect(await runDueDeliveries(deps, () => ctx())).toBe(1);
    expect(email.sent.map((e) => e.messageId)).toEqual(["<d-crash@notifications.shopmesh>"]);
  });
});

describe("admin rules", () => {
  it("template RPCs need a tenant admin and refuse unknown variables, naming the field", async () => {
    const { deps } = setup();
    const input = {
      type: "order_shipped" as const,
      channel: "email" as const,
      locale: "en",
      subject: "Shipped {{order_id}}",
      bodyText: "{{coupon_code}}",
      bodyHtml: "",
      expectedVersion: 0,
    };
    expect((await domainFailure(upsertTemplate(deps, ctx(), input))).kind).toBe("unauthenticated");
    expect((await domainFailure(upsertTemplate(deps, ctx([Roles.customer]), input))).kind).toBe("permission_denied");
    const bad = await domainFailure(upsertTemplate(deps, admin, input));
    expect([bad.kind, bad.field]).toEqual(["invalid", "body_text"]);
    expect(bad.message).toContain('unknown variable "coupon_code"');
    const sms = await domainFailure(upsertTemplate(deps, admin, { ...input, channel: "sms", bodyText: "x" }));
    expect(sms.field).toBe("subject");
    const huge = await domainFailure(upsertTemplate(deps, admin, { ...input, bodyText: "x".repeat(1_000_000) }));
    expect(huge.field).toBe("body_text");
  });

  it("a stale expected_version is a conflict (ABORTED)", async () => {
    const { deps } = setup();
    const input = {
      type: "order_shipped" as const,
      channel: "email" as const,
      locale: "en",
      subject: "Shipped {{order_id}}",
      bodyText: "Shipped",
      bodyHtml: "",
      expectedVersion: 0,
    };
    expect((await upsertTemplate(deps, admin, input)).version).toBe(1);
    expect((await upsertTemplate(deps, admin, input)).version).toBe(1); // a replay answers the same version
    expect((await domainFailure(upsertTemplate(deps, admin, { ...input, bodyText: "Other" }))).kind).toBe("conflict");
    expect((await upsertTemplate(deps, admin, { ...input, expectedVersion: 1 })).version).toBe(2);
  });
});
