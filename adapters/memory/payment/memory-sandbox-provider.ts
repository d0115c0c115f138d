import type { Money } from "../../../core/kit/money.ts";
import type {
  ChargeMetadata,
  PaymentProvider,
  ProviderCharge,
  ProviderLookup,
  ProviderRefund,
} from "../../../core/payment/payment-provider.ts";
import { SANDBOX_DECLINE_CODE, sandboxBehaviourOf } from "../../payment-provider/sandbox-tokens.ts";

interface Intent {
  readonly id: string;
  readonly amount: Money;
  readonly metadata: ChargeMetadata;
  readonly result: ProviderCharge;
  refunded: number;
}

/**
 * The sandbox provider in memory (embedded mode, unit tests): the same test tokens as the
 * sandbox process, with the deadline already passed for the slow ones. tok_timeout answers
 * `unknown` and charges nothing; tok_success_after_timeout charges and answers `unknown`.
 * The same idempotency key is the same intent. `chargesFor` counts real charges per order.
 */
export class MemorySandboxProvider implements PaymentProvider {
  readonly name = "sandbox";
  readonly #byKey = new Map<string, Intent | { readonly id: undefined; readonly result: ProviderCharge }>();
  readonly #byId = new Map<string, Intent>();
  readonly #refunds = new Map<string, ProviderRefund>();
  readonly #charges = new Map<string, number>();
  #next = 0;

  async createAndConfirm(
    request: { amount: Money; token: string; idempotencyKey: string; metadata: ChargeMetadata },
    _signal?: AbortSignal,
  ): Promise<ProviderCharge> {
    const known = this.#byKey.get(request.idempotencyKey);
    if (known) return known.result;
    const behaviour = sandboxBehaviourOf(request.token);
    if (behaviour === "hang") return { status: "unknown" };
    if (behaviour === "invalid") {
      const result: ProviderCharge = {
        status: "failed",
        reference: undefined,
        reason: "payment_method_invalid",
        code: "resource_missing",
      };
      this.#byKey.set(request.idempotencyKey, { id: undefined, result });
      return result;
    }
    const id = `pi_mem_${++this.#next}`;
    const result: ProviderCharge =
      behaviour === "decline"
        ? { status: "failed", reference: id, reason: "declined", code: SANDBOX_DECLINE_CODE }
        : { status: "succeeded", reference: id };
    const intent: Intent = { id, amount: request.amount, metadata: request.metadata, result, refunded: 0 };
    this.#byKey.set(request.idempotencyKey, intent);
    this.#byId.set(id, intent);
    if (result.status === "succeeded") {
      const order = `${request.metadata.tenantId}/${request.metadata.orderId}`;
      this.#charges.set(order, (this.#charges.get(order) ?? 0) + 1);
    }
    return behaviour === "succeed_late" ? { status: "unknown" } : result;
  }

  async retrieve(lookup: { reference?: string; idempotencyKey: string }, _signal?: AbortSignal): Promise<ProviderLookup> {
    const intent = (lookup.reference && this.#byId.get(lookup.reference)) || this.#byKey.get(lookup.idempotencyKey);
    return intent ? intent.result : { status: "not_found" };
  }

  async refund(
    request: { reference: string; amount: Money; idempotencyKey: string },
    _signal?: AbortSignal,
  ): Promise<ProviderRefund> {
    const known = this.#refunds.get(request.idempotencyKey);
    if (known) return known;
    const intent = this.#byId.get(request.reference);
    let result: ProviderRefund;
    if (intent?.result.status !== "succeeded") result = { status: "failed", reference: undefined, code: "charge_not_found" };
    else if (intent.refunded + request.amount.amountMinor > intent.amount.amountMinor)
      result = { status: "failed", reference: undefined, code: "amount_too_large" };
    else {
      intent.refunded += request.amount.amountMinor;
      result = { status: "succeeded", reference: `re_mem_${++this.#next}` };
    }
    this.#refunds.set(request.idempotencyKey, result);
    return result;
  }

  /** How many times the order was really charged (tests assert exactly one). */
  chargesFor(tenantId: string, orderId: string): number {
    return this.#charges.get(`${tenantId}/${orderId}`) ?? 0;
  }
}
