import { describe, expect, it } from "vitest";
import { money } from "../../../core/kit/money.ts";
import type { PaymentProvider, ProviderLookup } from "../../../core/payment/payment-provider.ts";
import { SandboxTokens } from "../../../adapters/payment-provider/sandbox-tokens.ts";

export interface PaymentProviderFixture {
  readonly provider: PaymentProvider;
  chargesFor(tenantId: string, orderId: string): Promise<number>;
}

const eur = (minor: number) => money(minor, "EUR");
let next = 0;
const order = () => {
  const id = `${Date.now().toString(36)}-${++next}-${Math.random().toString(36).slice(2, 6)}`;
  return {
    orderId: `order-${id}`,
    key: `pay-${id}`,
    metadata: { tenantId: "acme", orderId: `order-${id}`, paymentId: `pay-${id}` },
  };
};

async function settledLookup(provider: PaymentProvider, key: string, ms = 5_000): Promise<ProviderLookup> {
  const until = Date.now() + ms;
  for (;;) {
    const found = await provider.retrieve({ idempotencyKey: key });
    if ((found.status !== "processing" && found.status !== "unknown") || Date.now() > until) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One suite for every PaymentProvider adapter over the sandbox's test tokens. */
export function paymentProviderContract(
  name: string,
  open: () => Promise<PaymentProviderFixture & { dispose(): Promise<void> }>,
) {
  describe(`PaymentProvider: ${name}`, () => {
    const withProvider = async (work: (f: PaymentProviderFixture) => Promise<void>) => {
      const fixture = await open();
      try {
        await work(fixture);
      } finally {
        await fixture.dispose();
      }
    };

    it("when tok_success is charged twice with one key, then one charge and the same reference", () =>
      withProvider(async ({ provider, chargesFor }) => {
        const o = order();
        const request = { amount: eur(1_000), token: SandboxTokens.success, idempotencyKey: o.key, metadata: o.metadata };
        const first = await provider.createAndConfirm(request);
        expect(first.status).toBe("succeeded");
        expect(await provider.createAndConfirm(request)).toEqual(first);
        expect(await provider.retrieve({ idempotencyKey: o.key })).toEqual(first);
        const reference = first.status === "succeeded" ? first.reference : "";
        expect(await provider.retrieve({ reference, idempotencyKey: "unused-key" })).toEqual(first);
        expect(await chargesFor("acme", o.orderId)).toBe(1);
      }));

    it("when tok_decline or tok_invalid, then failed with the reason and nothing charged", () =>
      withProvider(async ({ provider, chargesFor }) => {
        const declined = order();
        const decline = await provider.createAndConfirm({
          amount: eur(500),
          token: SandboxTokens.decline,
          idempotencyKey: declined.key,
          metadata: declined.metadata,
        });
        expect(decline).toMatchObject({ status: "failed", reason: "declined", code: "insufficient_funds" });
        const invalid = order();
        const answer = await provider.createAndConfirm({
          amount: eur(500),
          token: SandboxTokens.invalid,
          idempotencyKey: invalid.key,
          metadata: invalid.metadata,
        });
        expect(answer).toMatchObject({ status: "failed", reason: "payment_method_invalid" });
        expect(await chargesFor("acme", declined.orderId)).toBe(0);
        expect(await chargesFor("acme", invalid.orderId)).toBe(0);
      }));

    it("when tok_timeout, then unknown, and once the provider is done with it, never seen: nothing charged", () =>
      withProvider(async ({ provider, chargesFor }) => {
        const o = order();
        expect(
          await provider.createAndConfirm({
            amount: eur(700),
            token: SandboxTokens.timeout,
            idempotencyKey: o.key,
            metadata: o.metadata,
          }),
        ).toEqual({
          status: "unknown",
        });
        expect(await settledLookup(provider, o.key)).toEqual({ status: "not_found" });
        expect(await chargesFor("acme", o.orderId)).toBe(0);
      }));

    it("when tok_success_after_timeout, then unknown, a retry with the key charges nothing more, and retrieve finds the one charge", () =>
      withProvider(async ({ provider, chargesFor }) => {
        const o = order();
        const request = {
          amount: eur(900),
          token: SandboxTokens.successAfterTimeout,
          idempotencyKey: o.key,
          metadata: o.metadata,
        };
        expect(await provider.createAndConfirm(request)).toEqual({ status: "unknown" });
        expect(["processing", "unknown", "succeeded"]).toContain((await provider.createAndConfirm(request)).status);
        expect(await settledLookup(provider, o.key)).toMatchObject({ status: "succeeded" });
        expect(["succeeded", "unknown"]).toContain((await provider.createAndConfirm(request)).status);
        expect(await chargesFor("acme", o.orderId)).toBe(1);
      }));

    it("when refunded in parts, then a key refunds once and more than remains is refused", () =>
      withProvider(async ({ provider }) => {
        const o = order();
        const charged = await provider.createAndConfirm({
          amount: eur(1_000),
          token: SandboxTokens.success,
          idempotencyKey: o.key,
          metadata: o.metadata,
        });
        const reference = charged.status === "succeeded" ? charged.reference : "";
        const part = { reference, amount: eur(600), idempotencyKey: `${o.key}-r1` };
        const first = await provider.refund(part);
        expect(first.status).toBe("succeeded");
        expect(await provider.refund(part)).toEqual(first);
        expect((await provider.refund({ reference, amount: eur(500), idempotencyKey: `${o.key}-r2` })).status).toBe("failed");
        expect((await provider.refund({ reference, amount: eur(400), idempotencyKey: `${o.key}-r3` })).status).toBe("succeeded");
      }));

    it("when a key was never used, then not_found", () =>
      withProvider(async ({ provider }) => {
        expect(await provider.retrieve({ idempotencyKey: `never-${Math.random()}` })).toEqual({ status: "not_found" });
      }));
  });
}
