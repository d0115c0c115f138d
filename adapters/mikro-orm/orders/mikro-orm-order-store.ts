import { type InferEntity, IsolationLevel, LockMode, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { alreadyExists, conflict, DomainError } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import { decodePageToken, encodePageToken } from "../../../core/kit/page-token.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import {
  type CancellationReason,
  isFinal,
  needsPaymentWork,
  type Order,
  type PaymentState,
  type SagaState,
  statusOf,
  type TimelineEntry,
  type TimelineStep,
} from "../../../core/orders/order.ts";
import type { OrderEvent } from "../../../core/orders/order-events.ts";
import type { OrderQuery, OrderRef, OrderStore, OrderTransaction, Page } from "../../../core/orders/order-store.ts";
import { appendToOutbox } from "../mikro-orm-outbox.ts";
import { retryTransaction, type TransactionRetry } from "../transaction-retry.ts";
import { OrderRecord, OrderTimelineRecord } from "./order-records.ts";

type OrderRow = InferEntity<typeof OrderRecord>;

const RETRY: TransactionRetry = { maxAttempts: 5, baseDelayMs: 4 };

/**
 * Orders in a SQL database (MariaDB, or SQLite embedded), at read committed. `lock` takes the
 * order row FOR UPDATE (SQLite runs one writer at a time and drops the clause); saves check
 * the version. A deadlock or lock wait timeout runs the work again (up to 5 attempts, then
 * ABORTED `ORDER.BUSY`); a duplicate idempotency key is ALREADY_EXISTS for the use case.
 */
export class MikroOrmOrderStore implements OrderStore {
  readonly #em: SqlEntityManager;
  readonly #toEvent: EventMapper<OrderEvent>;

  constructor(em: SqlEntityManager, toEvent: EventMapper<OrderEvent>) {
    this.#em = em;
    this.#toEvent = toEvent;
  }

  async transaction<T>(ctx: RequestContext, work: (tx: OrderTransaction) => Promise<T>): Promise<T> {
    try {
      return await retryTransaction(
        () => this.#em.fork().transactional((em) => work(this.#tx(em, ctx)), { isolationLevel: IsolationLevel.READ_COMMITTED }),
        {
          retry: RETRY,
          busy: (cause) =>
            new DomainError("conflict", "ORDER.BUSY", "orders are busy with concurrent changes: try again", { cause }),
        },
      );
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw alreadyExists("ORDER.IDEMPOTENCY_KEY_USED", "an order with this idempotency key exists");
      }
      throw error;
    }
  }

  #tx(em: SqlEntityManager, ctx: RequestContext): OrderTransaction {
    const tenantId = ctx.tenantId;
    const toEvent = this.#toEvent;
    return {
      async lock(orderId) {
        const row = await em.findOne(
          OrderRecord,
          { tenantId, orderId },
          { lockMode: LockMode.PESSIMISTIC_WRITE, disableIdentityMap: true },
        );
        return row ? toOrder(row) : undefined;
      },
      async insert(order) {
        await em.insert(OrderRecord, { tenantId, ...toFields(order) });
      },
      async update(order) {
        const changed = await em.nativeUpdate(
          OrderRecord,
          { tenantId, orderId: order.id, version: order.version - 1 },
          toFields(order),
        );
        if (changed !== 1) throw conflict("ORDER.CONCURRENT_UPDATE", `order ${order.id} changed meanwhile`);
      },
      async appendTimeline(orderId, entries) {
        if (entries.length === 0) return;
        await em.insertMany(
          OrderTimelineRecord,
          entries.map((e) => ({ tenantId, orderId, step: e.step, detail: e.detail.slice(0, 600), occurredAt: e.at })),
        );
      },
      async publish(events) {
        await appendToOutbox(
          em,
          events.map((event) => toEvent(event, ctx)),
        );
      },
    };
  }

  async find(tenantId: TenantId, orderId: string): Promise<Order | undefined> {
    const row = await this.#em.fork().findOne(OrderRecord, { tenantId, orderId }, { disableIdentityMap: true });
    return row ? toOrder(row) : undefined;
  }

  async findByIdempotencyKey(tenantId: TenantId, userId: string, idempotencyKey: string): Promise<Order | undefined> {
    const row = await this.#em.fork().findOne(OrderRecord, { tenantId, userId, idempotencyKey }, { disableIdentityMap: true });
    return row ? toOrder(row) : undefined;
  }

  async timeline(tenantId: TenantId, orderId: string): Promise<TimelineEntry[]> {
    const rows = await this.#em
      .fork()
      .find(OrderTimelineRecord, { tenantId, orderId }, { orderBy: { sequence: "asc" }, disableIdentityMap: true });
    return rows.map((row) => ({ step: row.step as TimelineStep, at: row.occurredAt, detail: row.detail }));
  }

  async list(tenantId: TenantId, query: OrderQuery): Promise<Page<Order>> {
    const after = decodePageToken(query.pageToken);
    const statuses = query.statuses ?? [];
    const rows = await this.#em.fork().find(
      OrderRecord,
      {
        tenantId,
        ...(query.userId ? { userId: query.userId } : {}),
        ...(statuses.length > 0 ? { status: { $in: [...statuses] } } : {}),
        ...(after ? { sequence: { $lt: Number(after) } } : {}),
      },
      { orderBy: { sequence: "desc" }, limit: query.pageSize + 1, disableIdentityMap: true },
    );
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      items: page.map(toOrder),
      nextPageToken: rows.length > query.pageSize && last ? encodePageToken(String(last.sequence)) : undefined,
    };
  }

  async dueForPaymentWork(now: Date, limit: number): Promise<OrderRef[]> {
    const rows = await this.#em
      .fork()
      .find(
        OrderRecord,
        { paymentDue: true, $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }] },
        { orderBy: { sequence: "asc" }, limit, fields: ["tenantId", "orderId"], disableIdentityMap: true },
      );
    return rows.map((row) => ({ tenantId: row.tenantId as TenantId, orderId: row.orderId }));
  }

  async dueForDeadline(now: Date, limit: number): Promise<OrderRef[]> {
    const rows = await this.#em
      .fork()
      .find(
        OrderRecord,
        { deadlineAt: { $lte: now } },
        { orderBy: { deadlineAt: "asc" }, limit, fields: ["tenantId", "orderId"], disableIdentityMap: true },
      );
    return rows.map((row) => ({ tenantId: row.tenantId as TenantId, orderId: row.orderId }));
  }
}

function toFields(order: Order) {
  return {
    orderId: order.id,
    userId: order.userId,
    status: statusOf(order.state),
    sagaState: order.state,
    cancellationReason: order.cancellationReason ?? null,
    payment: order.payment,
    stockHeld: order.stockHeld,
    lines: JSON.stringify(order.lines),
    promotionCodes: JSON.stringify(order.promotionCodes),
    totals: JSON.stringify(order.totals),
    shippingAddress: JSON.stringify(order.shippingAddress),
    cartId: order.cartId,
    cartVersion: order.cartVersion,
    paymentMethodToken: order.paymentMethodToken,
    idempotencyKey: order.idempotencyKey,
    paymentId: order.paymentId ?? null,
    shipmentId: order.shipmentId ?? null,
    placedAt: order.placedAt,
    updatedAt: order.updatedAt,
    // Final orders have no deadline: the sweeper's index only holds live sagas.
    deadlineAt: isFinal(order) ? null : (order.deadlineAt ?? null),
    paymentDue: needsPaymentWork(order),
    leaseUntil: order.leaseUntil ?? null,
    version: order.version,
  };
}

function toOrder(row: OrderRow): Order {
  return {
    id: row.orderId,
    userId: row.userId,
    state: row.sagaState as SagaState,
    cancellationReason: (row.cancellationReason ?? undefined) as CancellationReason | undefined,
    payment: row.payment as PaymentState,
    stockHeld: Boolean(row.stockHeld),
    lines: JSON.parse(row.lines),
    promotionCodes: JSON.parse(row.promotionCodes),
    totals: JSON.parse(row.totals),
    shippingAddress: JSON.parse(row.shippingAddress),
    cartId: row.cartId,
    cartVersion: Number(row.cartVersion),
    paymentMethodToken: row.paymentMethodToken,
    idempotencyKey: row.idempotencyKey,
    paymentId: row.paymentId ?? undefined,
    shipmentId: row.shipmentId ?? undefined,
    placedAt: row.placedAt,
    updatedAt: row.updatedAt,
    deadlineAt: row.deadlineAt ?? undefined,
    leaseUntil: row.leaseUntil ?? undefined,
    version: row.version,
  };
}
