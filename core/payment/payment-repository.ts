import type { RequestContext, TenantId } from "../kit/request-context.ts";
import type { PaymentEvent } from "./payment-events.ts";
import type { Payment, PaymentStatus } from "./payment.ts";

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string | undefined;
}

/** Where payments live, one per (tenant, order). */
export interface PaymentRepository {
  /**
   * Stores a new payment unless the tenant already has one for the order: then nothing is
   * written and the existing payment comes back (the unique key decides, not a prior read).
   */
  insertOrGet(ctx: RequestContext, payment: Payment): Promise<{ inserted: boolean; payment: Payment }>;
  /**
   * Writes `payment` if the stored one is still at `payment.version - 1`, with `events` in the
   * same transaction (the outbox). A stale version is ABORTED `PAYMENT.CONCURRENT_UPDATE`.
   */
  save(ctx: RequestContext, payment: Payment, events: readonly PaymentEvent[]): Promise<void>;
  findById(tenantId: TenantId, paymentId: string): Promise<Payment | undefined>;
  findByOrder(tenantId: TenantId, orderId: string): Promise<Payment | undefined>;
  /** Newest first. */
  list(tenantId: TenantId, query: { status?: PaymentStatus; pageSize: number; pageToken?: string }): Promise<Page<Payment>>;
  /**
   * PROCESSING payments of any tenant last changed before `olderThan` whose lease has run out,
   * oldest first, each leased until `leaseUntil` (a conditional update: two resolvers never
   * get the same payment while the lease holds).
   */
  claimUnresolved(
    now: Date,
    olderThan: Date,
    leaseUntil: Date,
    limit: number,
  ): Promise<{ tenantId: TenantId; payment: Payment }[]>;
}
