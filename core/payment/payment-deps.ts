import type { Clock } from "../kit/clock.ts";
import type { IdGenerator } from "../kit/ids.ts";
import type { PaymentProvider } from "./payment-provider.ts";
import type { PaymentRepository } from "./payment-repository.ts";

export interface PaymentPolicy {
  /** How long a PROCESSING payment is left alone before the resolver asks the provider. */
  readonly resolveAfterMs: number;
  /** How long a resolver holds a payment it is asking about. */
  readonly resolveLeaseMs: number;
}

export const DEFAULT_PAYMENT_POLICY: PaymentPolicy = { resolveAfterMs: 10_000, resolveLeaseMs: 30_000 };

export interface PaymentDeps {
  readonly payments: PaymentRepository;
  readonly provider: PaymentProvider;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly policy: PaymentPolicy;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export function pageSizeOf(requested: number | undefined): number {
  return Math.min(Math.max(requested || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
}
