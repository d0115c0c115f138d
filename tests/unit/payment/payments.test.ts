import { describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import { sequentialIds } from "../../../core/kit/ids.ts";
import { money } from "../../../core/kit/money.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { containsCardNumber } from "../../../core/kit/card-number.ts";
import { DEFAULT_PAYMENT_POLICY, type PaymentDeps } from "../../../core/payment/payment-deps.ts";
import type { PaymentEvent } from "../../../core/payment/payment-events.ts";
import {
  applyProviderUpdate,
  charge,
  getPayment,
  listPayments,
  refund,
  resolveUnresolved,
} from "../../../core/payment/payments.ts";
import { MemoryPaymentRepository } from "../../../adapters/memory/payment/memory-payment-repository.ts";
import { MemorySandboxProvider } from "../../../adapters/memory/payment/memory-sandbox-provider.ts";
import { domainFailure } from "../../support/domain-failure.ts";

const start = new Date("2026-11-01T10:00:00.000Z");

function setup() {
  const clock = fixedClock(start);
  const payments = new MemoryPaymentRepository((event: PaymentEvent, ctx) => ({
    id: `${event.type}-${event.payment.id}-${event.payment.version}`,
    type: event.type,
    schemaVersion: 1,
    topic: "payment-events",
    key: event.payment.id,
    tenantId: ctx.tenantId,
    correlationId: ctx.correlationId,
    occurredAt: event.payment.updatedAt,
    payload: new Uint8Array(),
  }));
  const provider = new MemorySandboxProvider();
  const deps: PaymentDeps = {
    payments,
    provider,
    clock,
    newId: sequentialIds("pay"),
    policy: { ...DEFAULT_PAYMENT_POLICY, resolveAfterMs: 10_000, resolveLeaseMs: 30_000 },
  };
  const ctx = (tenant = "acme", caller?: RequestContext["caller"]): RequestContext => ({
    tenantId: parseTenantId(tenant),
    caller,
    correlationId: "c-1",
    signal: new AbortController().signal,
  });
  const resolve = () => resolveUnresolved(deps, { limit: 10, correlationId: "r", signal: new AbortController().signal });
  const events = () => payments.outbox.map((e) => e.type);
  return { deps, payments, provider, clock, ctx, resolve, events };
}

const eur = (minor: number) => money(minor, "EUR");
const input = (orderId: string, token: string, minor = 1_000) => ({
  orderId,
  userId: "u-1",
  amount: eur(minor),
  paymentMethodToken: token,
});

describe("charge", () => {
  it("when the token succeeds, then the payment is SUCCEEDED with PaymentSucceeded and one charge", async () => {
    const { deps, ctx, provider, events } = setup();
    const payment = await charge(deps, ctx(), input("o-1", "tok_success"));
    expect(payment).toMatchObject({ status: "succeeded", provider: "sandbox" });
    expect(payment.providerReference).toMatch(/^pi_/);
    expect(events()).toEqual(["PaymentSucceeded"]);
    expect(provider.chargesFor("acme", "o-1")).toBe(1);
  });

  it("when the token is declined, then FAILED (DECLINED, insufficient_funds) with PaymentFailed, not an error", async () => {
    const { deps, ctx, events } = setup();
    const payment = await charge(deps, ctx(), input("o-2", "tok_decline"));
    expect(payment).toMatchObject({ status: "failed", failureReason: "declined", failureCode: "insufficient_funds" });
    expect(events()).toEqual(["PaymentFailed"]);
  });

  it("when the token is unknown, then FAILED (PAYMENT_METHOD_INVALID)", async () => {
    const { deps, ctx } = setup();
    expect(await charge(deps, ctx(), input("o-3", "tok_invalid"))).toMatchObject({
      status: "failed",
      failureReason: "payment_method_invalid",
    });
  });

  it("when the same order is charged again, then the stored payment comes back and the provider is not called", async () => {
    const { deps, ctx, provider, events } = setup();
    const first = await charge(deps, ctx(), input("o-4", "tok_success"));
    const again = await charge(deps, ctx(), input("o-4", "tok_success"));
    expect(again.id).toBe(first.id);
    expect(provider.chargesFor("acme", "o-4")).toBe(1);
    expect(events()).toEqual(["PaymentSucceeded"]);
  });

  it("when the same order comes with another amount or token, then FAILED_PRECONDITION", async () => {
    const { deps, ctx } = setup();
    await charge(deps, ctx(), input("o-5", "tok_success"));
    expect((await domainFailure(charge(deps, ctx(), input("o-5", "tok_success", 999)))).kind).toBe("failed_precondition");
    expect((await domainFailure(charge(deps, ctx(), input("o-5", "tok_decline")))).kind).toBe("failed_precondition");
  });

  it("when the token looks like a card number, then INVALID_ARGUMENT naming the field and not echoing it", async () => {
    const { deps, ctx, payments } = setup();
    for (const token of ["4242424242424242", "card_4242-4242-4242-4242", "x5555555555554444y"]) {
      const error = await domainFailure(charge(deps, ctx(), input("o-6", token)));
      expect(error).toMatchObject({ kind: "invalid", field: "payment_method_token" });
      expect(error.message).not.toContain("4242");
    }
    expect(await payments.findByOrder(parseTenantId("acme"), "o-6")).toBeUndefined();
  });

  it("when a customer calls Charge, then PERMISSION_DENIED", async () => {
    const { deps, ctx } = setup();
    const customer = ctx("acme", { userId: "u-1", roles: ["customer"] });
    expect((await domainFailure(charge(deps, customer, input("o-7", "tok_success")))).kind).toBe("permission_denied");
  });
});

describe("timeouts and the resolver", () => {
  it("when the provider never answers and never charged, then PROCESSING, and the resolver fails it after the grace period", async () => {
    const { deps, ctx, clock, resolve, events } = setup();
    const payment = await charge(deps, ctx(), input("o-10", "tok_timeout"));
    expect(payment.status).toBe("processing");
    expect(await resolve()).toBe(0); // too young
    clock.advance(10_001);
    expect(await resolve()).toBe(1);
    expect(await getPayment(deps, ctx(), { orderId: "o-10" })).toMatchObject({
      status: "failed",
      failureReason: "provider_unavailable",
    });
    expect(events()).toEqual(["PaymentFailed"]);
  });

  it("when the provider charged but answered late, then PROCESSING, and the resolver finds the charge: exactly one", async () => {
    const { deps, ctx, clock, resolve, provider, events } = setup();
    expect((await charge(deps, ctx(), input("o-11", "tok_success_after_timeout"))).status).toBe("processing");
    expect((await charge(deps, ctx(), input("o-11", "tok_success_after_timeout"))).status).toBe("processing");
    clock.advance(10_001);
    expect(await resolve()).toBe(1);
    expect((await getPayment(deps, ctx(), { orderId: "o-11" })).status).toBe("succeeded");
    expect(provider.chargesFor("acme", "o-11")).toBe(1);
    expect(events()).toEqual(["PaymentSucceeded"]);
    clock.advance(60_000);
    expect(await resolve()).toBe(0);
  });

  it("when Charge is replayed after the grace period, then it asks the provider and settles, still one charge", async () => {
    const { deps, ctx, clock, provider, events } = setup();
    expect((await charge(deps, ctx(), input("o-15", "tok_success_after_timeout"))).status).toBe("processing");
    clock.advance(10_000);
    expect((await charge(deps, ctx(), input("o-15", "tok_success_after_timeout"))).status).toBe("succeeded");
    expect(provider.chargesFor("acme", "o-15")).toBe(1);
    expect(events()).toEqual(["PaymentSucceeded"]);
  });

  it("when a resolver holds the lease, then another one does not take the payment until it runs out", async () => {
    const { deps, payments, ctx, clock } = setup();
    await charge(deps, ctx(), input("o-12", "tok_timeout"));
    clock.advance(10_001);
    const now = clock.now();
    const lease = new Date(now.getTime() + 30_000);
    expect(await payments.claimUnresolved(now, now, lease, 10)).toHaveLength(1);
    expect(await payments.claimUnresolved(now, now, lease, 10)).toHaveLength(0);
    expect(await payments.claimUnresolved(lease, lease, new Date(lease.getTime() + 1), 10)).toHaveLength(1);
  });

  it("when the webhook says succeeded (twice), then the payment settles once with one event", async () => {
    const { deps, ctx, events } = setup();
    const payment = await charge(deps, ctx(), input("o-13", "tok_success_after_timeout"));
    const update = { paymentId: payment.id, answer: { status: "succeeded" as const, reference: "pi_x" } };
    expect((await applyProviderUpdate(deps, ctx(), update))?.status).toBe("succeeded");
    expect((await applyProviderUpdate(deps, ctx(), update))?.status).toBe("succeeded");
    expect(events()).toEqual(["PaymentSucceeded"]);
    expect(await applyProviderUpdate(deps, ctx("globex"), update)).toBeUndefined();
  });

  it("when the provider reports a charge for a FAILED payment, then FAILED_PRECONDITION and the payment stays FAILED", async () => {
    const { deps, ctx, events } = setup();
    const payment = await charge(deps, ctx(), input("o-14", "tok_decline"));
    const update = { paymentId: payment.id, answer: { status: "succeeded" as const, reference: "pi_y" } };
    expect((await domainFailure(applyProviderUpdate(deps, ctx(), update))).code).toBe("PAYMENT.ALREADY_FAILED");
    expect((await getPayment(deps, ctx(), { paymentId: payment.id })).status).toBe("failed");
    expect(events()).toEqual(["PaymentFailed"]);
  });
});

describe("refund", () => {
  it("when refunded in two parts with retries, then each key refunds once and the last makes it REFUNDED", async () => {
    const { deps, ctx, events } = setup();
    const paid = await charge(deps, ctx(), input("o-20", "tok_success"));
    const part = { paymentId: paid.id, amount: eur(400), reason: "customer_request" as const, idempotencyKey: "o-20:part-1" };
    const first = await refund(deps, ctx(), part);
    const again = await refund(deps, ctx(), part);
    expect(first.status).toBe("partially_refunded");
    expect(again.refunds).toHaveLength(1);
    const rest = await refund(deps, ctx(), {
      paymentId: paid.id,
      amount: undefined,
      reason: "order_cancelled",
      idempotencyKey: "o-20:cancel",
    });
    expect(rest.status).toBe("refunded");
    expect(rest.refunds.map((r) => [r.amount.amountMinor, r.status])).toEqual([
      [400, "succeeded"],
      [600, "succeeded"],
    ]);
    expect(events()).toEqual(["PaymentSucceeded", "PaymentRefunded", "PaymentRefunded"]);
    const more = await domainFailure(refund(deps, ctx(), { ...part, idempotencyKey: "o-20:more" }));
    expect(more.kind).toBe("failed_precondition");
  });

  it("when the provider does not answer a refund, then UNAVAILABLE, the refund stays PENDING, and the retry refunds once", async () => {
    const { deps, ctx, events } = setup();
    const paid = await charge(deps, ctx(), input("o-23", "tok_success"));
    const real = deps.provider;
    let silent = true;
    const flaky = {
      ...deps,
      provider: {
        name: real.name,
        createAndConfirm: real.createAndConfirm.bind(real),
        retrieve: real.retrieve.bind(real),
        refund: async (request: Parameters<typeof real.refund>[0]) => {
          const answer = await real.refund(request);
          return silent ? ({ status: "unknown" } as const) : answer;
        },
      },
    };
    const ask = { paymentId: paid.id, amount: eur(250), reason: "duplicate" as const, idempotencyKey: "o-23:dup" };
    expect((await domainFailure(refund(flaky, ctx(), ask))).kind).toBe("unavailable");
    expect((await getPayment(deps, ctx(), { paymentId: paid.id })).refunds.map((r) => r.status)).toEqual(["pending"]);
    silent = false;
    const done = await refund(flaky, ctx(), ask);
    expect(done.refunds.map((r) => [r.status, r.amount.amountMinor])).toEqual([["succeeded", 250]]);
    expect(done.status).toBe("partially_refunded");
    expect(events()).toEqual(["PaymentSucceeded", "PaymentRefunded"]);
    // The provider was asked twice with one key: it refunded once (750 remain refundable there).
    expect((await refund(deps, ctx(), { ...ask, amount: eur(750), idempotencyKey: "o-23:rest" })).status).toBe("refunded");
  });

  it("when the payment is not charged, or the amount is above what remains, then FAILED_PRECONDITION; unknown is NOT_FOUND", async () => {
    const { deps, ctx } = setup();
    const failed = await charge(deps, ctx(), input("o-21", "tok_decline"));
    const ask = { amount: undefined, reason: "order_cancelled" as const, idempotencyKey: "key-00001" };
    expect((await domainFailure(refund(deps, ctx(), { ...ask, paymentId: failed.id }))).kind).toBe("failed_precondition");
    const paid = await charge(deps, ctx(), input("o-22", "tok_success"));
    expect((await domainFailure(refund(deps, ctx(), { ...ask, paymentId: paid.id, amount: eur(1_001) }))).kind).toBe(
      "failed_precondition",
    );
    expect((await domainFailure(refund(deps, ctx(), { ...ask, paymentId: "nope" }))).kind).toBe("not_found");
    expect((await domainFailure(refund(deps, ctx("globex"), { ...ask, paymentId: paid.id }))).kind).toBe("not_found");
  });
});

describe("reads", () => {
  it("when someone else's customer asks, then NOT_FOUND; the payer and an admin see it; list is admin only", async () => {
    const { deps, ctx } = setup();
    const paid = await charge(deps, ctx(), input("o-30", "tok_success"));
    await charge(deps, ctx(), input("o-31", "tok_decline"));
    expect((await getPayment(deps, ctx("acme", { userId: "u-1", roles: ["customer"] }), { paymentId: paid.id })).id).toBe(
      paid.id,
    );
    const other = ctx("acme", { userId: "u-2", roles: ["customer"] });
    expect((await domainFailure(getPayment(deps, other, { paymentId: paid.id }))).kind).toBe("not_found");
    const admin = ctx("acme", { userId: "a", roles: ["tenant_admin"] });
    expect((await listPayments(deps, admin, {})).items.map((p) => p.orderId)).toEqual(["o-31", "o-30"]);
    expect((await listPayments(deps, admin, { status: "failed" })).items.map((p) => p.orderId)).toEqual(["o-31"]);
    const page = await listPayments(deps, admin, { pageSize: 1 });
    expect((await listPayments(deps, admin, { pageSize: 1, pageToken: page.nextPageToken ?? "" })).items[0]?.orderId).toBe(
      "o-30",
    );
    expect((await domainFailure(listPayments(deps, other, {}))).kind).toBe("permission_denied");
    expect((await listPayments(deps, ctx("globex", { userId: "g", roles: ["tenant_admin"] }), {})).items).toHaveLength(0);
  });
});

describe("containsCardNumber", () => {
  it("finds Luhn-valid 13-19 digit runs, with or without separators, and nothing else", () => {
    for (const yes of ["4242424242424242", "4242 4242 4242 4242", "x4000-0566-5566-5556", "378282246310005"]) {
      expect(containsCardNumber(yes)).toBe(true);
    }
    for (const no of ["tok_success", "4242424242424241", "123456789012", "pi_1234", "2026-11-01T10:00:00.000Z"]) {
      expect(containsCardNumber(no)).toBe(false);
    }
  });
});
