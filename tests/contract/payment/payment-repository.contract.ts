import { describe, expect, it } from "vitest";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { money } from "../../../core/kit/money.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { addRefund, markSucceeded, type Payment, settleRefund, startPayment } from "../../../core/payment/payment.ts";
import type { PaymentRepository } from "../../../core/payment/payment-repository.ts";
import { domainFailure } from "../../support/domain-failure.ts";

export interface PaymentRepositoryFixture {
  readonly repository: PaymentRepository;
  recordedEvents(): Promise<IntegrationEvent[]>;
  dispose(): Promise<void>;
}

const at = new Date("2026-11-01T10:00:00.000Z");
const ctxOf = (tenant: string): RequestContext => ({
  tenantId: parseTenantId(tenant),
  caller: undefined,
  correlationId: "corr-1",
  signal: new AbortController().signal,
});
const acme = ctxOf("acme");
const globex = ctxOf("globex");
let next = 0;
const fresh = (orderId: string, overrides: Partial<Payment> = {}): Payment => ({
  ...startPayment({
    id: `pay-${++next}-${Math.random().toString(36).slice(2, 8)}`,
    orderId,
    userId: "u-1",
    amount: money(1_250, "EUR"),
    paymentMethodToken: "tok_success",
    provider: "sandbox",
    at,
  }),
  ...overrides,
});

/** One suite for every PaymentRepository adapter. */
export function paymentRepositoryContract(name: string, open: () => Promise<PaymentRepositoryFixture>): void {
  describe(`PaymentRepository: ${name}`, () => {
    const withRepository = async (work: (f: PaymentRepositoryFixture) => Promise<void>) => {
      const fixture = await open();
      try {
        await work(fixture);
      } finally {
        await fixture.dispose();
      }
    };

    it("when a second payment of the same order is inserted, then nothing is written and the first comes back", () =>
      withRepository(async ({ repository }) => {
        const first = fresh("order-1");
        expect(await repository.insertOrGet(acme, first)).toEqual({ inserted: true, payment: first });
        const second = await repository.insertOrGet(acme, fresh("order-1", { amount: money(9, "EUR") }));
        expect(second.inserted).toBe(false);
        expect(second.payment).toEqual(first);
        expect((await repository.insertOrGet(globex, fresh("order-1"))).inserted).toBe(true);
        expect(await repository.findById(acme.tenantId, first.id)).toEqual(first);
        expect(await repository.findByOrder(acme.tenantId, "order-1")).toEqual(first);
        expect(await repository.findById(globex.tenantId, first.id)).toBeUndefined();
      }));

    it("when saved at the next version, then state and events are stored together; a stale version is ABORTED and writes nothing", () =>
      withRepository(async ({ repository, recordedEvents }) => {
        const payment = fresh("order-2");
        await repository.insertOrGet(acme, payment);
        const paid = markSucceeded(payment, "pi_1", new Date(at.getTime() + 1_000)) as Payment;
        await repository.save(acme, paid, [{ type: "PaymentSucceeded", payment: paid }]);
        expect(await repository.findById(acme.tenantId, payment.id)).toEqual(paid);
        const stale = await domainFailure(repository.save(acme, paid, [{ type: "PaymentSucceeded", payment: paid }]));
        expect(stale.kind).toBe("conflict");
        const events = await recordedEvents();
        expect(events.map((e) => [e.type, e.key, e.tenantId])).toEqual([["shop.events.v1.PaymentSucceeded", payment.id, "acme"]]);
        expect((await domainFailure(repository.save(globex, { ...paid, version: paid.version + 1 }, []))).kind).toBe("conflict");
        const refunded = addRefund(paid, { id: "r-1", idempotencyKey: "key-1234", amountMinor: 250, reason: "duplicate" }, at);
        await repository.save(acme, refunded.payment, []);
        const settled = settleRefund(refunded.payment, "r-1", { status: "succeeded", providerReference: "re_1" }, at);
        await repository.save(acme, settled?.payment as Payment, []);
        expect(await repository.findById(acme.tenantId, payment.id)).toEqual(settled?.payment);
      }));

    it("when listing, then newest first, by status, in pages, only the tenant's", () =>
      withRepository(async ({ repository }) => {
        const a = fresh("order-a");
        const b = fresh("order-b");
        const c = fresh("order-c");
        for (const p of [a, b, c]) await repository.insertOrGet(acme, p);
        await repository.insertOrGet(globex, fresh("order-g"));
        const paid = markSucceeded(b, "pi_b", at) as Payment;
        await repository.save(acme, paid, []);
        const first = await repository.list(acme.tenantId, { pageSize: 2 });
        expect(first.items.map((p) => p.orderId)).toEqual(["order-c", "order-b"]);
        const rest = await repository.list(acme.tenantId, { pageSize: 2, pageToken: first.nextPageToken ?? "" });
        expect(rest.items.map((p) => p.orderId)).toEqual(["order-a"]);
        expect(rest.nextPageToken).toBeUndefined();
        expect((await repository.list(acme.tenantId, { status: "succeeded", pageSize: 10 })).items.map((p) => p.orderId)).toEqual(
          ["order-b"],
        );
      }));

    it("when resolvers claim PROCESSING payments, then only old ones, oldest first, each once while its lease holds", () =>
      withRepository(async ({ repository }) => {
        const old = fresh("order-old", { updatedAt: new Date(at.getTime() - 60_000) });
        const older = fresh("order-older", { updatedAt: new Date(at.getTime() - 120_000) });
        const young = fresh("order-young", { updatedAt: at });
        for (const p of [old, older, young]) await repository.insertOrGet(acme, p);
        const paid = fresh("order-paid", { updatedAt: new Date(at.getTime() - 60_000) });
        await repository.insertOrGet(globex, paid);
        await repository.save(globex, markSucceeded(paid, "pi", paid.updatedAt) as Payment, []);
        const lease = new Date(at.getTime() + 30_000);
        const [one, two] = await Promise.all([
          repository.claimUnresolved(at, new Date(at.getTime() - 1_000), lease, 10),
          repository.claimUnresolved(at, new Date(at.getTime() - 1_000), lease, 10),
        ]);
        const all = [...one, ...two];
        expect(all.map((c) => c.payment.orderId).sort()).toEqual(["order-old", "order-older"]);
        expect(all.every((c) => c.tenantId === "acme")).toBe(true);
        expect(await repository.claimUnresolved(at, new Date(at.getTime() - 1_000), lease, 10)).toEqual([]);
        const later = await repository.claimUnresolved(lease, new Date(at.getTime() - 1_000), new Date(lease.getTime() + 1), 10);
        expect(later.map((c) => c.payment.orderId)).toEqual(["order-older", "order-old"]);
      }));
  });
}
