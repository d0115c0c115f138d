import type { PaymentProvider, ProviderCharge, ProviderLookup, ProviderRefund } from "../../core/payment/payment-provider.ts";
import { chargeFromIntent, type PaymentIntentJson, type StripeErrorJson } from "./stripe-intent.ts";

export interface StripeHttpProviderOptions {
  /** "sandbox" for the sandbox process, "stripe" for the real API. */
  readonly name: string;
  /** e.g. `http://127.0.0.1:7018` (no trailing slash). */
  readonly baseUrl: string;
  /** The provider's secret API key (from config, never in the repo). */
  readonly secretKey: string;
  /** Deadline of each call; past it the outcome is `unknown`. */
  readonly timeoutMs: number;
  /** Told about answers that are neither an outcome nor a timeout (auth errors, 5xx); never given the token. */
  readonly onProblem?: (problem: { operation: string; status?: number; error?: unknown }) => void;
}

/**
 * A Stripe-shaped PaymentProvider over HTTP (`fetch`): form-encoded bodies, bearer secret key,
 * an `Idempotency-Key` on every POST, each call bounded by `timeoutMs` and the caller's signal.
 * Timeouts, network failures and 5xx answers are `unknown`, never an exception.
 */
export function createStripeHttpProvider(options: StripeHttpProviderOptions): PaymentProvider {
  const call = async (
    operation: string,
    method: "GET" | "POST",
    path: string,
    init: { form?: URLSearchParams; idempotencyKey?: string; signal?: AbortSignal | undefined },
  ): Promise<{ status: number; body: unknown } | undefined> => {
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      const response = await fetch(`${options.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.secretKey}`,
          ...(init.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
          ...(init.idempotencyKey ? { "idempotency-key": init.idempotencyKey } : {}),
        },
        ...(init.form ? { body: init.form.toString() } : {}),
        signal,
      });
      const text = await response.text();
      const body = text ? (JSON.parse(text) as unknown) : undefined;
      if (response.status >= 500 || response.status === 401 || response.status === 403 || response.status === 429) {
        options.onProblem?.({ operation, status: response.status });
        return undefined;
      }
      return { status: response.status, body };
    } catch (error) {
      if (!signal.aborted) options.onProblem?.({ operation, error });
      return undefined;
    }
  };

  return {
    name: options.name,

    async createAndConfirm(request, signal): Promise<ProviderCharge> {
      const form = new URLSearchParams({
        amount: String(request.amount.amountMinor),
        currency: request.amount.currency.toLowerCase(),
        payment_method: request.token,
        confirm: "true",
        "metadata[tenant_id]": request.metadata.tenantId,
        "metadata[order_id]": request.metadata.orderId,
        "metadata[payment_id]": request.metadata.paymentId,
      });
      const answer = await call("create_payment_intent", "POST", "/v1/payment_intents", {
        form,
        idempotencyKey: request.idempotencyKey,
        signal,
      });
      if (!answer) return { status: "unknown" };
      if (answer.status === 200) return asCharge(chargeFromIntent(answer.body as PaymentIntentJson));
      const error = (answer.body as StripeErrorJson | undefined)?.error;
      if (answer.status === 402 && error?.payment_intent) {
        const failed = chargeFromIntent(error.payment_intent);
        if (failed.status === "failed") return failed;
        return {
          status: "failed",
          reference: error.payment_intent.id,
          reason: "declined",
          code: error.decline_code ?? error.code,
        };
      }
      if (answer.status === 400 && (error?.code === "resource_missing" || error?.code === "payment_method_invalid")) {
        return { status: "failed", reference: undefined, reason: "payment_method_invalid", code: error.code };
      }
      // 409: the same key is in flight at the provider (a concurrent retry); anything else: not known.
      if (answer.status === 409) return { status: "processing", reference: undefined };
      options.onProblem?.({ operation: "create_payment_intent", status: answer.status });
      return { status: "unknown" };
    },

    async retrieve(lookup, signal): Promise<ProviderLookup> {
      if (lookup.reference) {
        const answer = await call(
          "retrieve_payment_intent",
          "GET",
          `/v1/payment_intents/${encodeURIComponent(lookup.reference)}`,
          {
            signal,
          },
        );
        if (!answer) return { status: "unknown" };
        if (answer.status === 200) return chargeFromIntent(answer.body as PaymentIntentJson);
      }
      const query = new URLSearchParams({ idempotency_key: lookup.idempotencyKey });
      const answer = await call("list_payment_intents", "GET", `/v1/payment_intents?${query}`, { signal });
      if (answer?.status !== 200) return { status: "unknown" };
      const list = answer.body as { data?: PaymentIntentJson[]; in_flight?: boolean };
      const intent = list.data?.[0];
      if (intent) return chargeFromIntent(intent);
      return list.in_flight ? { status: "processing", reference: undefined } : { status: "not_found" };
    },

    async refund(request, signal): Promise<ProviderRefund> {
      const form = new URLSearchParams({
        payment_intent: request.reference,
        amount: String(request.amount.amountMinor),
      });
      const answer = await call("create_refund", "POST", "/v1/refunds", { form, idempotencyKey: request.idempotencyKey, signal });
      if (!answer) return { status: "unknown" };
      const body = answer.body as { id?: string; status?: string } & StripeErrorJson;
      if (answer.status === 200 && body.status === "succeeded" && body.id) return { status: "succeeded", reference: body.id };
      if (answer.status === 200 && body.status === "failed") return { status: "failed", reference: body.id, code: undefined };
      if (answer.status === 400) return { status: "failed", reference: undefined, code: body.error?.code };
      return { status: "unknown" };
    },
  };
}

function asCharge(lookup: ProviderLookup): ProviderCharge {
  return lookup.status === "not_found" ? { status: "unknown" } : lookup;
}
