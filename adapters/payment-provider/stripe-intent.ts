import type { ProviderLookup } from "../../core/payment/payment-provider.ts";

/** The part of a Stripe PaymentIntent this adapter reads. */
export interface PaymentIntentJson {
  readonly id: string;
  readonly object?: "payment_intent";
  readonly amount: number;
  readonly currency: string;
  readonly status: string;
  readonly metadata?: Record<string, string>;
  readonly last_payment_error?: { readonly code?: string; readonly decline_code?: string; readonly type?: string } | null;
}

/** A Stripe error body (`{ "error": { ... } }`). */
export interface StripeErrorJson {
  readonly error?: {
    readonly type?: string;
    readonly code?: string;
    readonly decline_code?: string;
    readonly message?: string;
    readonly payment_intent?: PaymentIntentJson;
  };
}

/** What an intent's status says about the charge. */
export function chargeFromIntent(intent: PaymentIntentJson): ProviderLookup {
  switch (intent.status) {
    case "succeeded":
      return { status: "succeeded", reference: intent.id };
    case "requires_payment_method":
    case "canceled": {
      const error = intent.last_payment_error;
      const invalid = error?.code === "resource_missing" || error?.code === "payment_method_invalid";
      return {
        status: "failed",
        reference: intent.id,
        reason: invalid ? "payment_method_invalid" : "declined",
        code: error?.decline_code ?? error?.code,
      };
    }
    default:
      // processing, requires_action, requires_confirmation, requires_capture: not settled yet.
      return { status: "processing", reference: intent.id };
  }
}
