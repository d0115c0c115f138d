import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import type { RunningSubscription } from "../../../core/kit/event-consumer.ts";
import { containsCardNumber } from "../../../core/kit/card-number.ts";
import { createKafka } from "../../../adapters/kafka/kafka-client.ts";
import { createKafkaEventConsumer } from "../../../adapters/kafka/kafka-event-consumer.ts";
import { createMemoryProcessedEvents } from "../../../adapters/memory/memory-processed-events.ts";
import { signWebhook } from "../../../adapters/payment-provider/webhook-signature.ts";
import {
  PaymentFailedSchema,
  PaymentFailureCause,
  PaymentRefundedSchema,
  PaymentSucceededSchema,
} from "../../../gen/shop/events/v1/payment_events_pb.ts";
import { PaymentFailureReason, PaymentService, PaymentStatus, RefundReason } from "../../../gen/shop/payment/v1/payment_pb.ts";
import { PAYMENT_EVENTS_TOPIC } from "../../../services/payment/payment-event-mapper.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { type PaymentServer, startPaymentServer } from "./support/payment-server.ts";

let server: PaymentServer;
let subscription: RunningSubscription;
let admin: { authorization: string };
let payer: { authorization: string };
let otherCustomer: { authorization: string };
let globexAdmin: { authorization: string };
const service = { "x-tenant-id": "acme" };
const seen: IntegrationEvent[] = [];
const run = uniqueName("run");

beforeAll(async () => {
  server = await startPaymentServer();
  admin = { authorization: await server.identity.bearer("acme", "admin-1", ["tenant_admin"]) };
  payer = { authorization: await server.identity.bearer("acme", "user-1", ["customer"]) };
  otherCustomer = { authorization: await server.identity.bearer("acme", "user-2", ["customer"]) };
  globexAdmin = { authorization: await server.identity.bearer("globex", "globex-admin", ["tenant_admin"]) };
  const kafka = createKafka({
    brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","),
    clientId: uniqueName("payment-events-test"),
  });
  subscription = await createKafkaEventConsumer(kafka, {
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
    maxWaitTimeMs: 100,
  }).subscribe({
    group: uniqueName("payment-component"),
    topics: [PAYMENT_EVENTS_TOPIC],
    processedEvents: createMemoryProcessedEvents(),
    handler: async (event) => void seen.push(event),
  });
});
afterAll(async () => {
  await subscription?.stop();
  await server?.stop();
});

const grpc = () => createClient(PaymentService, server.transport("grpc"));
const connect = () => createClient(PaymentService, server.transport("connect"));
const eur = (minor: number) => ({ amountMinor: BigInt(minor), currencyCode: "EUR" });
const chargeOf = (orderId: string, token: string, minor = 1_000, userId = "user-1") => ({
  orderId: `${run}-${orderId}`,
  userId,
  amount: eur(minor),
  paymentMethodToken: token,
});

async function code(work: Promise<unknown>): Promise<Code | "ok"> {
  try {
    await work;
    return "ok";
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const eventsOf = (paymentId: string) => seen.filter((e) => e.key === paymentId);
const outboxOf = async (paymentId: string) => (await server.db.outbox()).filter((e) => e.key === paymentId);

describe("Charge (gRPC, internal)", () => {
  it("when the token succeeds, then SUCCEEDED, one charge at the sandbox, and PaymentSucceeded on Kafka", async () => {
    const { payment } = await grpc().charge(chargeOf("ok", "tok_success"), { headers: service });
    expect(payment).toMatchObject({ status: PaymentStatus.SUCCEEDED, provider: "sandbox", orderId: `${run}-ok` });
    expect(payment?.providerReference).toMatch(/^pi_/);
    expect(await server.sandbox.chargesFor("acme", `${run}-ok`)).toBe(1);
    const event = await eventually("PaymentSucceeded", () => eventsOf(payment?.paymentId ?? "")[0]);
    expect(event.type).toBe(PaymentSucceededSchema.typeName);
    expect(fromBinary(PaymentSucceededSchema, event.payload)).toMatchObject({
      paymentId: payment?.paymentId,
      orderId: `${run}-ok`,
      userId: "user-1",
      amount: eur(1_000),
      providerReference: payment?.providerReference,
    });
  });

  it("when the card is declined, then FAILED (DECLINED) as an outcome, and PaymentFailed on Kafka", async () => {
    const { payment } = await grpc().charge(chargeOf("declined", "tok_decline"), { headers: service });
    expect(payment).toMatchObject({
      status: PaymentStatus.FAILED,
      failureReason: PaymentFailureReason.DECLINED,
      failureCode: "insufficient_funds",
    });
    const event = await eventually("PaymentFailed", () => eventsOf(payment?.paymentId ?? "")[0]);
    expect(fromBinary(PaymentFailedSchema, event.payload)).toMatchObject({
      cause: PaymentFailureCause.DECLINED,
      failureCode: "insufficient_funds",
    });
    expect(await server.sandbox.chargesFor("acme", `${run}-declined`)).toBe(0);
  });

  it("when the provider does not answer in time and never charged, then PROCESSING, then resolved FAILED (PROVIDER_UNAVAILABLE)", async () => {
    const started = Date.now();
    const { payment } = await grpc().charge(chargeOf("timeout", "tok_timeout"), { headers: service });
    expect(payment?.status).toBe(PaymentStatus.PROCESSING);
    expect(Date.now() - started).toBeLessThan(3_000);
    const resolved = await eventually("the resolver", async () => {
      const { payment: now } = await grpc().getPayment(
        { lookup: { case: "paymentId", value: payment?.paymentId ?? "" } },
        { headers: service },
      );
      return now?.status === PaymentStatus.PROCESSING ? undefined : now;
    });
    expect(resolved).toMatchObject({ status: PaymentStatus.FAILED, failureReason: PaymentFailureReason.PROVIDER_UNAVAILABLE });
    expect(await server.sandbox.chargesFor("acme", `${run}-timeout`)).toBe(0);
    const event = await eventually("PaymentFailed", () => eventsOf(payment?.paymentId ?? "")[0]);
    expect(fromBinary(PaymentFailedSchema, event.payload).cause).toBe(PaymentFailureCause.PROVIDER_UNAVAILABLE);
  });

  it("when the provider charges but answers after the deadline, and Charge is retried, then exactly one charge and one PaymentSucceeded", async () => {
    const request = chargeOf("late", "tok_success_after_timeout");
    const { payment } = await grpc().charge(request, { headers: service });
    expect(payment?.status).toBe(PaymentStatus.PROCESSING);
    const retried = await grpc().charge(request, { headers: service });
    expect(retried.payment?.paymentId).toBe(payment?.paymentId);
    const settled = await eventually("the webhook or the resolver", async () => {
      const { payment: now } = await grpc().getPayment(
        { lookup: { case: "orderId", value: request.orderId } },
        { headers: service },
      );
      return now?.status === PaymentStatus.PROCESSING ? undefined : now;
    });
    expect(settled.status).toBe(PaymentStatus.SUCCEEDED);
    const again = await grpc().charge(request, { headers: service });
    expect(again.payment?.status).toBe(PaymentStatus.SUCCEEDED);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // let the webhook and the resolver both have their say
    expect(await server.sandbox.chargesFor("acme", request.orderId)).toBe(1);
    expect((await outboxOf(payment?.paymentId ?? "")).map((e) => e.type)).toEqual([PaymentSucceededSchema.typeName]);
  });

  it("when Charge is retried for the same order, then the same payment and one charge; another amount or token is FAILED_PRECONDITION", async () => {
    const request = chargeOf("retry", "tok_success");
    const first = await grpc().charge(request, { headers: service });
    const [second, third] = await Promise.all([
      grpc().charge(request, { headers: service }),
      grpc().charge(request, { headers: service }),
    ]);
    expect(second.payment?.paymentId).toBe(first.payment?.paymentId);
    expect(third.payment?.paymentId).toBe(first.payment?.paymentId);
    expect(await server.sandbox.chargesFor("acme", request.orderId)).toBe(1);
    expect(await code(grpc().charge({ ...request, amount: eur(999) }, { headers: service }))).toBe(Code.FailedPrecondition);
    expect(await code(grpc().charge({ ...request, paymentMethodToken: "tok_decline" }, { headers: service }))).toBe(
      Code.FailedPrecondition,
    );
  });

  it("when Charge comes over Connect (a browser), or from a customer, then it is refused", async () => {
    expect(await code(connect().charge(chargeOf("browser", "tok_success"), { headers: admin }))).not.toBe("ok");
    expect(await code(grpc().charge(chargeOf("customer", "tok_success"), { headers: payer }))).toBe(Code.PermissionDenied);
    expect(await server.sandbox.chargesFor("acme", `${run}-browser`)).toBe(0);
  });

  it("when input is bad, then INVALID_ARGUMENT, and a card number as token is refused without being logged", async () => {
    const bad = [
      { ...chargeOf("bad-1", "tok_success"), orderId: "" },
      { ...chargeOf("bad-2", "tok_success"), amount: eur(0) },
      { ...chargeOf("bad-3", "tok_success"), amount: undefined },
      chargeOf("bad-4", "4242424242424242"),
      chargeOf("bad-5", "4242 4242 4242 4242"),
      chargeOf("bad-6", "card_4242-4242-4242-4242"),
      chargeOf("bad-7", "x5555555555554444"),
    ];
    for (const request of bad) expect(await code(grpc().charge(request, { headers: service }))).toBe(Code.InvalidArgument);
    for (const n of [4, 5, 6, 7]) {
      expect(await code(grpc().getPayment({ lookup: { case: "orderId", value: `${run}-bad-${n}` } }, { headers: service }))).toBe(
        Code.NotFound,
      );
    }
  });
});

describe.each(["grpc", "connect"] as const)("reads and refunds over %s", (kind) => {
  it("when an admin refunds in parts and retries with the same key, then each key refunds once and PaymentRefunded says so", async () => {
    const { payment } = await grpc().charge(chargeOf(`refund-${kind}`, "tok_success", 1_000), { headers: service });
    const client = kind === "grpc" ? grpc() : connect();
    const part = {
      paymentId: payment?.paymentId ?? "",
      amount: eur(300),
      reason: RefundReason.CUSTOMER_REQUEST,
      idempotencyKey: `${run}-${kind}-part`,
    };
    const first = await client.refund(part, { headers: admin });
    const again = await client.refund(part, { headers: admin });
    expect(first.payment?.status).toBe(PaymentStatus.PARTIALLY_REFUNDED);
    expect(again.payment?.refunds).toHaveLength(1);
    expect(again.payment?.refundedAmount).toMatchObject(eur(300));
    expect(
      await code(client.refund({ ...part, idempotencyKey: `${run}-${kind}-more`, amount: eur(800) }, { headers: admin })),
    ).toBe(Code.FailedPrecondition);
    const rest = await client.refund(
      { paymentId: part.paymentId, reason: RefundReason.ORDER_CANCELLED, idempotencyKey: `${run}-${kind}:cancel` },
      { headers: admin },
    );
    expect(rest.payment?.status).toBe(PaymentStatus.REFUNDED);
    const refunded = (await outboxOf(part.paymentId)).filter((e) => e.type === PaymentRefundedSchema.typeName);
    expect(
      refunded.map((e) => fromBinary(PaymentRefundedSchema, e.payload)).map((r) => [r.amount?.amountMinor, r.fullyRefunded]),
    ).toEqual([
      [300n, false],
      [700n, true],
    ]);
    expect(await code(client.refund({ ...part, idempotencyKey: `${run}-${kind}-cust` }, { headers: payer }))).toBe(
      Code.PermissionDenied,
    );
    expect(await code(client.refund({ ...part, idempotencyKey: "short" }, { headers: admin }))).toBe(Code.InvalidArgument);
    expect(await code(client.refund({ ...part, paymentId: "no-such-payment" }, { headers: admin }))).toBe(Code.NotFound);
  });

  it("when tenant globex or another customer asks for acme's payment, then NOT_FOUND, and lists show only their own", async () => {
    const orderId = `${run}-isolated-${kind}`;
    const { payment } = await grpc().charge({ ...chargeOf(`isolated-${kind}`, "tok_success") }, { headers: service });
    const id = payment?.paymentId ?? "";
    const client = kind === "grpc" ? grpc() : connect();
    expect((await client.getPayment({ lookup: { case: "paymentId", value: id } }, { headers: payer })).payment?.orderId).toBe(
      orderId,
    );
    expect(
      (await client.getPayment({ lookup: { case: "orderId", value: orderId } }, { headers: admin })).payment?.paymentId,
    ).toBe(id);
    for (const headers of [globexAdmin, otherCustomer]) {
      expect(await code(client.getPayment({ lookup: { case: "paymentId", value: id } }, { headers }))).toBe(Code.NotFound);
      expect(await code(client.getPayment({ lookup: { case: "orderId", value: orderId } }, { headers }))).toBe(Code.NotFound);
    }
    const refund = { paymentId: id, reason: RefundReason.DUPLICATE, idempotencyKey: `${run}-globex-${kind}` };
    expect(await code(client.refund(refund, { headers: globexAdmin }))).toBe(Code.NotFound);
    const globexList = await client.listPayments({}, { headers: globexAdmin });
    expect(globexList.payments.map((p) => p.paymentId)).not.toContain(id);
    const acmeList = await client.listPayments({ status: PaymentStatus.SUCCEEDED, page: { pageSize: 100 } }, { headers: admin });
    expect(acmeList.payments.map((p) => p.paymentId)).toContain(id);
    expect(await code(client.listPayments({}, { headers: payer }))).toBe(Code.PermissionDenied);
    // The same order id in globex is globex's own payment, not a replay of acme's.
    const theirs = await grpc().charge(chargeOf(`isolated-${kind}`, "tok_decline"), { headers: { "x-tenant-id": "globex" } });
    expect(theirs.payment?.paymentId).not.toBe(id);
    expect(theirs.payment?.status).toBe(PaymentStatus.FAILED);
    expect((await client.getPayment({ lookup: { case: "paymentId", value: id } }, { headers: admin })).payment?.status).toBe(
      PaymentStatus.SUCCEEDED,
    );
    if (kind === "connect") {
      expect(await code(client.getPayment({ lookup: { case: "paymentId", value: id } }, { headers: service }))).toBe(
        Code.Unauthenticated,
      );
    }
  });
});

describe("provider webhooks", () => {
  const post = (body: string, signature: string | undefined) =>
    fetch(server.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(signature ? { "stripe-signature": signature } : {}) },
      body,
    });

  it("when a webhook is unsigned, signed with another secret, stale or edited, then 400 and the payment does not move", async () => {
    const { payment } = await grpc().charge(chargeOf("webhook", "tok_timeout"), { headers: service });
    const id = payment?.paymentId ?? "";
    const body = JSON.stringify({
      id: "evt_forged",
      type: "payment_intent.succeeded",
      data: {
        object: {
          id: "pi_forged",
          amount: 1_000,
          currency: "eur",
          status: "succeeded",
          metadata: { tenant_id: "acme", payment_id: id },
        },
      },
    });
    const now = Math.floor(Date.now() / 1000);
    expect((await post(body, undefined)).status).toBe(400);
    expect((await post(body, signWebhook("whsec_not_the_right_secret", body, now))).status).toBe(400);
    expect((await post(body, "t=garbage,v1=zz")).status).toBe(400);
    const secret = server.sandbox.webhookSecret;
    expect((await post(body, signWebhook(secret, body, now - 3_600))).status).toBe(400);
    expect((await post(body.replace("pi_forged", "pi_edited"), signWebhook(secret, body, now))).status).toBe(400);
    // Correctly signed but about nothing of ours: acknowledged, nothing changes.
    const stranger = body.replace(id, "no-such-payment");
    expect((await post(stranger, signWebhook(secret, stranger, now))).status).toBe(200);
    // The sandbox's own signed webhooks pass the same check.
    await eventually("a sandbox webhook applied", () =>
      server.logLines.find((line) => line.includes("provider webhook applied")),
    );
    const resolved = await eventually("the resolver", async () => {
      const { payment: now } = await grpc().getPayment({ lookup: { case: "paymentId", value: id } }, { headers: service });
      return now?.status === PaymentStatus.PROCESSING ? undefined : now;
    });
    expect(resolved.status).toBe(PaymentStatus.FAILED);
    expect(resolved.providerReference).not.toBe("pi_forged");
    expect(await server.sandbox.chargesFor("acme", `${run}-webhook`)).toBe(0);
    expect((await fetch(server.webhookUrl)).status).toBe(405);
  });
});

describe("card data", () => {
  it("when the suite has run, then no payment row, outbox event or log line holds a card number", async () => {
    const rows = await server.db.em.getConnection().execute("select * from payment_payments");
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows as Record<string, unknown>[]) expect(containsCardNumber(JSON.stringify(row))).toBe(false);
    for (const event of await server.db.outbox())
      expect(containsCardNumber(Buffer.from(event.payload).toString("latin1"))).toBe(false);
    expect(server.logLines.length).toBeGreaterThan(0);
    expect(server.sandbox.output.length).toBeGreaterThan(0);
    const withCard = [...server.logLines, ...server.sandbox.output].filter((line) => containsCardNumber(line));
    expect(withCard).toEqual([]);
    // The scan can fail: the same check finds the test card in a line that holds it.
    expect(containsCardNumber(JSON.stringify({ token: "4242424242424242" }))).toBe(true);
  });
});
