import type { Clock } from "../kit/clock.ts";
import type { IdGenerator } from "../kit/ids.ts";
import type { CheckoutSnapshots } from "./checkout-snapshots.ts";
import type { OrderRef, OrderStore } from "./order-store.ts";
import { DEFAULT_SAGA_DEADLINES, type SagaDeadlines } from "./order-saga.ts";
import type { PaymentGateway } from "./payment-gateway.ts";

export interface OrderPolicy {
  readonly deadlines: SagaDeadlines;
  /** How long the payment worker holds an order while its charge or refund call is in flight (and between asks). */
  readonly paymentLeaseMs: number;
}

export const DEFAULT_ORDER_POLICY: OrderPolicy = { deadlines: DEFAULT_SAGA_DEADLINES, paymentLeaseMs: 10_000 };

export interface OrderDeps {
  readonly store: OrderStore;
  readonly snapshots: CheckoutSnapshots;
  readonly payments: PaymentGateway;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly policy: OrderPolicy;
  /**
   * Told right after a transaction committed a saga change that leaves the order needing a
   * payment call and not leased (InventoryReserved -> charge, a cancellation with money taken ->
   * refund, ...): the service starts that call at once (`attemptPaymentWork`, same lease) instead
   * of waiting for the payment worker's next poll. Must not throw or block; optional: without it
   * (or when the nudge is lost in a crash) the poll finds the order.
   */
  readonly paymentWorkDue?: (ref: OrderRef) => void;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function pageSizeOf(requested: number | undefined): number {
  return Math.min(Math.max(requested || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
}
