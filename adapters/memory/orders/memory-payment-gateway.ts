import { unavailable } from "../../../core/kit/domain-error.ts";
import type { Money } from "../../../core/kit/money.ts";
import type { ChargeAnswer, PaymentGateway } from "../../../core/orders/payment-gateway.ts";

export type ScriptedOutcome = "succeeded" | "failed" | "processing" | "unavailable";

interface Payment {
  readonly paymentId: string;
  outcome: "succeeded" | "failed" | "processing";
  readonly amount: Money;
  refunds: Set<string>;
}

/**
 * A payment side for unit tests: one payment per order (a second charge answers the first,
 * like PaymentService), refunds once per idempotency key. What a token does is scripted:
 * `tok_decline` fails, `tok_slow` answers processing, `tok_down` is unreachable, others succeed.
 */
export class MemoryPaymentGateway implements PaymentGateway {
  readonly payments = new Map<string, Payment>();
  chargeCalls = 0;
  refundCalls = 0;

  async charge(_ctx: unknown, request: { orderId: string; amount: Money; paymentMethodToken: string }): Promise<ChargeAnswer> {
    this.chargeCalls++;
    const existing = this.payments.get(request.orderId);
    if (existing) return { outcome: existing.outcome, paymentId: existing.paymentId, detail: "" };
    const outcome = outcomeOf(request.paymentMethodToken);
    if (outcome === "unavailable") throw unavailable("PAYMENT.UNAVAILABLE", "payment sandbox is down");
    const payment: Payment = { paymentId: `pay-${request.orderId}`, outcome, amount: request.amount, refunds: new Set() };
    this.payments.set(request.orderId, payment);
    return { outcome, paymentId: payment.paymentId, detail: outcome === "failed" ? "declined: card_declined" : "" };
  }

  async refund(_ctx: unknown, request: { orderId: string; idempotencyKey: string }): Promise<{ paymentId: string }> {
    this.refundCalls++;
    const payment = this.payments.get(request.orderId);
    if (payment?.outcome !== "succeeded") throw unavailable("PAYMENT.NOT_REFUNDABLE", "nothing to refund yet");
    payment.refunds.add(request.idempotencyKey);
    return { paymentId: payment.paymentId };
  }

  /** Settles a processing payment, as the provider's late answer would. */
  settle(orderId: string, outcome: "succeeded" | "failed"): void {
    const payment = this.payments.get(orderId);
    if (payment) payment.outcome = outcome;
  }

  /** Orders charged and not refunded. */
  charged(): string[] {
    return [...this.payments].filter(([, p]) => p.outcome === "succeeded" && p.refunds.size === 0).map(([id]) => id);
  }
}

function outcomeOf(token: string): ScriptedOutcome {
  if (token.startsWith("tok_decline")) return "failed";
  if (token.startsWith("tok_slow")) return "processing";
  if (token.startsWith("tok_down")) return "unavailable";
  return "succeeded";
}
