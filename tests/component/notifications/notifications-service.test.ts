import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { OrderConfirmedSchema } from "../../../gen/shop/events/v1/order_events_pb.ts";
import { OrderDeliveredSchema, OrderShippedSchema } from "../../../gen/shop/events/v1/shipping_events_pb.ts";
import {
  Channel,
  DeliveryStatus,
  NotificationService,
  NotificationType,
  TemplateSource,
} from "../../../gen/shop/notifications/v1/notifications_pb.ts";
import { NotificationCategory, NotificationChannel, UserService } from "../../../gen/shop/users/v1/users_pb.ts";
import { createSmtpEmailSender } from "../../../adapters/email/smtp-email-sender.ts";
import { MikroOrmNotificationStore } from "../../../adapters/mikro-orm/notifications/mikro-orm-notification-store.ts";
import { messageIdOf } from "../../../core/notifications/deliveries.ts";
import { notificationEventMapper } from "../../../services/notifications/notification-event-mapper.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { type CaughtMail, mailApi } from "../../support/mail-api.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { type NotificationsServer, startNotificationsServer } from "./support/notifications-server.ts";

let server: NotificationsServer;
let acmeAdmin: { authorization: string };
let globexAdmin: { authorization: string };
let customer: { authorization: string };
const mail = mailApi();
const acme = parseTenantId("acme");
const caught: CaughtMail[] = [];

beforeAll(async () => {
  server = await startNotificationsServer();
  acmeAdmin = { authorization: await server.users.identity.bearer("acme", "admin-1", ["tenant_admin"]) };
  globexAdmin = { authorization: await server.users.identity.bearer("globex", "admin-2", ["tenant_admin"]) };
  customer = { authorization: await server.users.identity.bearer("acme", "user-1", ["customer"]) };
}, 120_000);
afterAll(async () => {
  await mail.delete(caught.map((m) => m.id));
  await server?.stop();
});

async function code(work: Promise<unknown>): Promise<Code | "ok"> {
  try {
    await work;
    return "ok";
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until)
      throw new Error(
        `condition not met in time; last value: ${JSON.stringify(value, (_, v) => (typeof v === "bigint" ? String(v) : v))}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A user of acme registered with users (the contact directory asks it over gRPC). */
async function registerUser(label: string): Promise<{ userId: string; email: string; bearer: { authorization: string } }> {
  const email = `${uniqueName(label)}@example.com`.replaceAll("_", "-");
  const users = createClient(UserService, server.users.transport("grpc"));
  const { user } = await users.register(
    { email, password: "correct horse battery", displayName: `Jane ${label}`, idempotencyKey: uniqueName("register") },
    { headers: { "x-tenant-id": "acme" } },
  );
  const userId = user?.userId ?? "";
  return { userId, email, bearer: { authorization: await server.users.identity.bearer("acme", userId, ["customer"]) } };
}

function orderConfirmed(userId: string, orderId: string): IntegrationEvent {
  return encodeEvent(
    OrderConfirmedSchema,
    { orderId, userId, paymentId: "p-1", lines: [], total: { amountMinor: 1250n, currencyCode: "EUR" } },
    { topic: server.topics.orders, key: orderId, occurredAt: new Date() },
    { tenantId: acme, correlationId: uniqueName("corr") },
  );
}

function orderShipped(userId: string, orderId: string, topic = server.topics.shipping): IntegrationEvent {
  return encodeEvent(
    OrderShippedSchema,
    {
      shipmentId: "s-1",
      orderId,
      userId,
      carrier: "<b>Parcel & Co</b>",
      trackingNumber: "TN-1",
      trackingUrl: "https://track.test/TN-1",
    },
    { topic, key: orderId, occurredAt: new Date() },
    { tenantId: acme, correlationId: uniqueName("corr") },
  );
}

const notifications = (kind: "grpc" | "connect") => createClient(NotificationService, server.transport(kind));

describe("notifications from events (Kafka -> MariaDB -> SMTP)", () => {
  it("when OrderConfirmed is delivered twice, then exactly one email arrives, with the delivery's Message-ID", async () => {
    const jane = await registerUser("twice");
    const event = orderConfirmed(jane.userId, uniqueName("order"));
    await server.publisher.publish([event]);
    await server.publisher.publish([event]); // the same event id again
    // a later event of the same key (same partition, so handled after both copies)
    const marker = encodeEvent(
      OrderDeliveredSchema,
      { shipmentId: "s", orderId: event.key, userId: jane.userId },
      { topic: server.topics.orders, key: event.key, occurredAt: new Date() },
      { tenantId: acme, correlationId: "c" },
    );
    await server.publisher.publish([marker]);
    const client = notifications("grpc");
    await waitFor(
      () => client.listDeliveries({ sourceEventId: marker.id }, { headers: acmeAdmin }),
      (r) => r.deliveries.length > 0 && r.deliveries.every((d) => d.status === DeliveryStatus.SENT),
    );
    const mails = await mail.waitFor(jane.email, 2);
    caught.push(...mails);
    const receipts = mails.filter((m) => m.subject.startsWith(`Order ${event.key} confirmed`));
    expect(receipts).toHaveLength(1);
    const { deliveries } = await client.listDeliveries({ sourceEventId: event.id }, { headers: acmeAdmin });
    expect(deliveries.map((d) => [d.type, d.channel, d.status, d.attemptCount])).toEqual([
      [NotificationType.ORDER_CONFIRMED, Channel.EMAIL, DeliveryStatus.SENT, 1],
    ]);
    expect(receipts[0]?.messageId).toBe(`${deliveries[0]?.deliveryId}@notifications.shopmesh`);
    expect(receipts[0]?.text).toContain("total EUR 12.50");
    expect(deliveries[0]?.recipientMasked).toMatch(/^t\*\*\*@example\.com$/);
    expect((await mail.withMessageId(`${deliveries[0]?.deliveryId}@notifications.shopmesh`)).length).toBe(1);
  });

  it("when the user opted out of shipping updates by email, then OrderShipped is skipped but the receipt still goes", async () => {
    const jane = await registerUser("optout");
    const users = createClient(UserService, server.users.transport("grpc"));
    await users.updatePreferences(
      {
        channelPreferences: [
          { channel: NotificationChannel.EMAIL, category: NotificationCategory.SHIPPING_UPDATES, optedIn: false },
          { channel: NotificationChannel.EMAIL, category: NotificationCategory.ORDER_UPDATES, optedIn: false },
        ],
      },
      { headers: jane.bearer },
    );
    const orderId = uniqueName("order");
    const shipped = orderShipped(jane.userId, orderId, server.topics.orders);
    const confirmed = orderConfirmed(jane.userId, orderId);
    await server.publisher.publish([shipped, confirmed]);
    const client = notifications("connect");
    const skipped = await waitFor(
      () => client.listDeliveries({ sourceEventId: shipped.id }, { headers: acmeAdmin }),
      (r) => r.deliveries.length === 1,
    );
    expect(skipped.deliveries[0]?.status).toBe(DeliveryStatus.SKIPPED_OPTED_OUT);
    await waitFor(
      () => client.listDeliveries({ sourceEventId: confirmed.id }, { headers: acmeAdmin }),
      (r) => r.deliveries[0]?.status === DeliveryStatus.SENT,
    );
    const mails = await mail.waitFor(jane.email, 1);
    caught.push(...mails);
    expect(mails.map((m) => m.subject)).toEqual([`Order ${orderId} confirmed`]);
  });

  it("when SMTP fails, then the delivery is retried, dead-lettered, and RetryDeadLetter sends it exactly once", async () => {
    const jane = await registerUser("smtpdown");
    const event = orderConfirmed(jane.userId, uniqueName("order"));
    server.smtpBroken = true;
    try {
      await server.publisher.publish([event]);
      const client = notifications("grpc");
      const dead = await waitFor(
        () => client.listDeliveries({ sourceEventId: event.id }, { headers: acmeAdmin }),
        (r) => r.deliveries[0]?.status === DeliveryStatus.DEAD_LETTERED,
      );
      expect(dead.deliveries[0]?.attemptCount).toBe(3);
      expect(dead.deliveries[0]?.lastError).not.toBe("");
    } finally {
      server.smtpBroken = false;
    }
    for (const kind of ["grpc", "connect"] as const) {
      const client = notifications(kind);
      const { deadLetters } = await client.listDeadLetters({ includeRetried: true }, { headers: acmeAdmin });
      expect(deadLetters.some((d) => d.failedDelivery?.sourceEventId === event.id)).toBe(true);
    }
    const client = notifications("connect");
    const letter = (await client.listDeadLetters({}, { headers: acmeAdmin })).deadLetters.find(
      (d) => d.failedDelivery?.sourceEventId === event.id,
    );
    expect(letter?.failureReason).toContain("3 attempts failed");
    const retried = await client.retryDeadLetter({ deadLetterId: letter?.deadLetterId ?? "" }, { headers: acmeAdmin });
    expect(retried.delivery?.status).toBe(DeliveryStatus.SENT);
    expect(retried.deadLetter?.retryDeliveryId).toBe(retried.delivery?.deliveryId);
    const replay = await notifications("grpc").retryDeadLetter(
      { deadLetterId: letter?.deadLetterId ?? "" },
      { headers: acmeAdmin },
    );
    expect(replay.delivery?.deliveryId).toBe(retried.delivery?.deliveryId);
    const mails = await mail.waitFor(jane.email, 1);
    caught.push(...mails);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await mail.to(jane.email)).toHaveLength(1);
    expect((await client.listDeadLetters({}, { headers: acmeAdmin })).deadLetters.map((d) => d.deadLetterId)).not.toContain(
      letter?.deadLetterId,
    );
  });
});

describe("a crash between send and mark", () => {
  it("when a process crashed after the SMTP server accepted, then the worker resends once, under the same Message-ID", async () => {
    const store = new MikroOrmNotificationStore(server.db.em, notificationEventMapper);
    const to = `${uniqueName("crash")}@example.com`.replaceAll("_", "-");
    const deliveryId = uniqueName("crashed-delivery");
    const now = new Date();
    await store.addDelivery(
      { tenantId: acme, caller: undefined, correlationId: "c", signal: new AbortController().signal },
      {
        deliveryId,
        tenantId: acme,
        dedupeKey: uniqueName("event"),
        sourceEventId: uniqueName("event"),
        sourceEventType: OrderConfirmedSchema.typeName,
        type: "order_confirmed",
        channel: "email",
        userId: "u-crash",
        recipient: to,
        recipientMasked: "c***@example.com",
        status: "pending",
        attemptCount: 0,
        lastError: "",
        providerMessageId: "",
        createdAt: now,
        sentAt: undefined,
        nextAttemptAt: now,
        leaseUntil: undefined,
        content: { subject: "Crash test", text: "once or twice", html: "" },
      },
    );
    // the crashed process: claimed it (lease 1 s), the SMTP server accepted the message, then it died
    expect(await store.claimDelivery(acme, deliveryId, now, new Date(now.getTime() + 1_000))).toBeDefined();
    const crashed = createSmtpEmailSender({
      host: requiredEnv("SHOPMESH_SMTP_HOST"),
      port: Number(requiredEnv("SHOPMESH_SMTP_PORT")),
      from: "x <x@shopmesh.test>",
    });
    await crashed.send({ messageId: messageIdOf(deliveryId), to, subject: "Crash test", text: "once or twice", html: "" });
    crashed.close();
    const sent = await waitFor(
      () => store.findDelivery(acme, deliveryId),
      (d) => d?.status === "sent",
    );
    expect(sent?.attemptCount).toBe(1);
    const mails = await mail.waitFor(to, 2);
    caught.push(...mails);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const copies = await mail.withMessageId(messageIdOf(deliveryId));
    expect(copies).toHaveLength(2); // the documented at-most-one duplicate, recognisable by its Message-ID
    expect(await mail.to(to)).toHaveLength(2);
  });
});

describe.each(["grpc", "connect"] as const)("NotificationService templates over %s", (kind) => {
  it("an override for the user's locale is used for their mail, with variables escaped in HTML", async () => {
    const client = notifications(kind);
    const locale = kind === "grpc" ? "fr" : "it";
    const saved = await client.upsertTemplate(
      {
        type: NotificationType.ORDER_SHIPPED,
        channel: Channel.EMAIL,
        locale,
        subject: "Expédié {{order_id}}",
        bodyText: "Transporteur {{carrier}}",
        bodyHtml: "<p>{{carrier}}</p>",
        expectedVersion: 0n,
      },
      { headers: acmeAdmin },
    );
    expect(saved.template).toMatchObject({ source: TemplateSource.TENANT, version: 1n, locale });
    const jane = await registerUser(`tpl-${kind}`);
    await createClient(UserService, server.users.transport("grpc")).updatePreferences({ locale }, { headers: jane.bearer });
    const orderId = uniqueName("order");
    await server.publisher.publish([orderShipped(jane.userId, orderId)]);
    const mails = await mail.waitFor(jane.email, 1);
    caught.push(...mails);
    expect(mails[0]?.subject).toBe(`Expédié ${orderId}`);
    expect(mails[0]?.text.trim()).toBe("Transporteur <b>Parcel & Co</b>");
    expect(mails[0]?.html).toContain("<p>&lt;b&gt;Parcel &amp; Co&lt;/b&gt;</p>");

    const listed = await client.listTemplates(
      { type: NotificationType.ORDER_SHIPPED, channel: Channel.EMAIL, includeBuiltIn: true },
      { headers: acmeAdmin },
    );
    expect(listed.templates.map((t) => [t.locale, t.source])).toContainEqual([locale, TemplateSource.TENANT]);
    expect(listed.templates.map((t) => [t.locale, t.source])).toContainEqual(["en", TemplateSource.BUILT_IN]);
    const key = { type: NotificationType.ORDER_SHIPPED, channel: Channel.EMAIL, locale };
    expect(await code(client.deleteTemplate(key, { headers: globexAdmin }))).toBe(Code.NotFound);
    await client.deleteTemplate(key, { headers: acmeAdmin });
    expect(await code(client.deleteTemplate(key, { headers: acmeAdmin }))).toBe(Code.NotFound);
  });

  it("bad template input is INVALID_ARGUMENT naming the field; a stale version is ABORTED", async () => {
    const client = notifications(kind);
    const base = {
      type: NotificationType.ORDER_CONFIRMED as NotificationType,
      channel: Channel.EMAIL as Channel,
      locale: `x${kind === "grpc" ? "g" : "c"}`,
      subject: "Order {{order_id}}",
      bodyText: "Thanks",
      bodyHtml: "",
      expectedVersion: 0n,
    };
    const failure = async (request: typeof base) => {
      try {
        await client.upsertTemplate(request, { headers: acmeAdmin });
        return { code: "ok" as const, message: "" };
      } catch (error) {
        const e = ConnectError.from(error);
        return { code: e.code, message: e.rawMessage };
      }
    };
    const unknown = await failure({ ...base, bodyText: "Use {{coupon_code}}" });
    expect(unknown.code).toBe(Code.InvalidArgument);
    expect(unknown.message).toContain("body_text");
    expect(unknown.message).toContain("coupon_code");
    const raw = await failure({ ...base, bodyHtml: "{{{order_id}}}" });
    expect([raw.code, raw.message.includes("body_html")]).toEqual([Code.InvalidArgument, true]);
    const huge = await failure({ ...base, bodyText: "x".repeat(1_048_576) });
    expect([huge.code, huge.message.includes("body_text")]).toEqual([Code.InvalidArgument, true]);
    const badLocale = await failure({ ...base, locale: "EN_us" });
    expect([badLocale.code, badLocale.message.includes("locale")]).toEqual([Code.InvalidArgument, true]);
    expect((await failure({ ...base, type: NotificationType.UNSPECIFIED })).code).toBe(Code.InvalidArgument);
    expect((await failure(base)).code).toBe("ok");
    expect((await failure(base)).code).toBe("ok"); // a replay answers the same version
    expect((await failure({ ...base, bodyText: "Changed" })).code).toBe(Code.Aborted);
    await client.deleteTemplate({ type: base.type, channel: base.channel, locale: base.locale }, { headers: acmeAdmin });
  });

  it("every RPC needs a tenant admin of the call's tenant, and shows nothing of other tenants", async () => {
    const client = notifications(kind);
    // Each call starts only when it is awaited: a rejection is never left unhandled meanwhile.
    const calls = (headers: Record<string, string>) => [
      () => client.listTemplates({}, { headers }),
      () => client.listDeliveries({}, { headers }),
      () => client.listDeadLetters({ includeRetried: true }, { headers }),
      () => client.retryDeadLetter({ deadLetterId: "dl-none" }, { headers }),
      () => client.deleteTemplate({ type: NotificationType.ORDER_CONFIRMED, channel: Channel.EMAIL, locale: "en" }, { headers }),
      () =>
        client.upsertTemplate(
          { type: NotificationType.ORDER_CONFIRMED, channel: Channel.EMAIL, locale: "en", subject: "s", bodyText: "b" },
          { headers },
        ),
    ];
    for (const call of calls(customer)) expect(await code(call())).toBe(Code.PermissionDenied);
    for (const call of calls({ "x-tenant-id": "acme" })) expect(await code(call())).toBe(Code.Unauthenticated);
    // globex sees none of acme's deliveries, dead letters or overrides, and cannot retry acme's dead letters
    expect((await client.listDeliveries({}, { headers: globexAdmin })).deliveries).toEqual([]);
    const globexLetters = await client.listDeadLetters({ includeRetried: true }, { headers: globexAdmin });
    expect(globexLetters.deadLetters).toEqual([]);
    expect((await client.listTemplates({}, { headers: globexAdmin })).templates).toEqual([]);
    const acmeLetters = await client.listDeadLetters({ includeRetried: true }, { headers: acmeAdmin });
    for (const letter of acmeLetters.deadLetters) {
      expect(await code(client.retryDeadLetter({ deadLetterId: letter.deadLetterId }, { headers: globexAdmin }))).toBe(
        Code.NotFound,
      );
    }
    const acmeDeliveries = await client.listDeliveries({}, { headers: acmeAdmin });
    for (const d of acmeDeliveries.deliveries.slice(0, 3)) {
      expect((await client.listDeliveries({ sourceEventId: d.sourceEventId }, { headers: globexAdmin })).deliveries).toEqual([]);
    }
  });
});
