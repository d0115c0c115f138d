import type { Money } from "../kit/money.ts";
import type { FailureReason } from "./payment.ts";

/**
 * What the provider says about a charge. `unknown`: no answer within the deadline, or the
 * provider could not be reached; the charge may or may not have happened, so nobody may
 * conclude anything but "ask again later". `processing`: the provider has the charge in hand.
 */
export type ProviderCharge =
  | { readonly status: "succeeded"; readonly reference: string }
  | {
      readonly status: "failed";
      readonly reference: string | undefined;
      readonly reason: Exclude<FailureReason, "provider_unavailable">;
      readonly code: string | undefined;
    }
  | { readonly status: "processing"; readonly reference: string | undefined }
  | { readonly status: "unknown" };

export type ProviderLookup =
  | ProviderCharge
  /** The provider has never seen this idempotency key, and nothing with it is in flight: nothing was charged. */
  | { readonly status: "not_found" };

export type ProviderRefund =
  | { readonly status: "succeeded"; readonly reference: string }
  | { readonly status: "failed"; readonly reference: string | undefined; readonly code: string | undefined }
  | { readonly status: "unknown" };

/** Where the charge belongs; carried to the provider as metadata and echoed in its webhooks. */
export interface ChargeMetadata {
  readonly tenantId: string;
  readonly orderId: string;
  readonly paymentId: string;
}

/**
 * A payment provider (Stripe-shaped). Every call carries an idempotency key: the same key is the
 * same charge or refund at the provider, never a second one. Adapters never throw for a timeout
 * or an unreachable provider: they answer `unknown`.
 */
export interface PaymentProvider {
  /** "sandbox", "stripe": stored on the payment. */
  readonly name: string;
  createAndConfirm(
    request: {
      readonly amount: Money;
      readonly token: string;
      readonly idempotencyKey: string;
      readonly metadata: ChargeMetadata;
    },
    signal?: AbortSignal,
  ): Promise<ProviderCharge>;
  /** The charge by its reference, or else by the idempotency key it was created with. */
  retrieve(
    lookup: { readonly reference?: string; readonly idempotencyKey: string },
    signal?: AbortSignal,
  ): Promise<ProviderLookup>;
  refund(
    request: { readonly reference: string; readonly amount: Money; readonly idempotencyKey: string },
    signal?: AbortSignal,
  ): Promise<ProviderRefund>;
}
