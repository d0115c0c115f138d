import type { RequestContext, TenantId } from "../kit/request-context.ts";
import type { OrderEvent } from "./order-events.ts";
import type { Order, OrderStatus, TimelineEntry } from "./order.ts";

/** One transaction on one tenant's orders; events appended here commit with the state (the outbox). */
export interface OrderTransaction {
  /** The order, locked until the transaction ends. */
  lock(orderId: string): Promise<Order | undefined>;
  /**
   * Inserts a new order. A second order with the same (user, idempotency key) fails with
   * ALREADY_EXISTS `ORDER.IDEMPOTENCY_KEY_USED` (the unique key decides a concurrent replay).
   */
  insert(order: Order): Promise<void>;
  /** Saves a changed order; `order.version` must be the stored version + 1, else ABORTED. */
  update(order: Order): Promise<void>;
  appendTimeline(orderId: string, entries: readonly TimelineEntry[]): Promise<void>;
  publish(events: readonly OrderEvent[]): Promise<void>;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string | undefined;
}

export interface OrderQuery {
  /** Only this user's orders. */
  readonly userId?: string | undefined;
  /** Only these statuses (any when empty). */
  readonly statuses?: readonly OrderStatus[] | undefined;
  readonly pageSize: number;
  readonly pageToken?: string | undefined;
}

export interface OrderRef {
  readonly tenantId: TenantId;
  readonly orderId: string;
}

/** Where orders, their timelines and their outbox live. */
export interface OrderStore {
  /** Runs `work` atomically (retried on deadlock); `work` must act only through `tx`. */
  transaction<T>(ctx: RequestContext, work: (tx: OrderTransaction) => Promise<T>): Promise<T>;
  find(tenantId: TenantId, orderId: string): Promise<Order | undefined>;
  findByIdempotencyKey(tenantId: TenantId, userId: string, idempotencyKey: string): Promise<Order | undefined>;
  /** Oldest first. */
  timeline(tenantId: TenantId, orderId: string): Promise<TimelineEntry[]>;
  /** Newest placed first (keyset pages). */
  list(tenantId: TenantId, query: OrderQuery): Promise<Page<Order>>;
  /** Orders of any tenant the payment worker must charge, ask about or refund, whose lease has lapsed at `now`. */
  dueForPaymentWork(now: Date, limit: number): Promise<OrderRef[]>;
  /** Orders of any tenant whose saga step is past its deadline at `now`, oldest deadline first. */
  dueForDeadline(now: Date, limit: number): Promise<OrderRef[]>;
}
