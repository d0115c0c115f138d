import { alreadyExists, conflict } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { decodePageToken, encodePageToken } from "../../../core/kit/page-token.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import { isFinal, needsPaymentWork, type Order, statusOf, type TimelineEntry } from "../../../core/orders/order.ts";
import type { OrderEvent } from "../../../core/orders/order-events.ts";
import type { OrderQuery, OrderRef, OrderStore, OrderTransaction, Page } from "../../../core/orders/order-store.ts";

interface Row {
  readonly tenantId: TenantId;
  readonly seq: number;
  readonly order: Order;
}

interface State {
  orders: Map<string, Row>;
  timeline: Map<string, TimelineEntry[]>;
  outbox: IntegrationEvent[];
  seq: number;
}

const k = (...parts: string[]) => parts.join("\u0000");

/**
 * Orders in Maps, for unit tests and as the reference the SQL adapter is held to: one
 * transaction at a time, on a copy that replaces the state on success.
 */
export class MemoryOrderStore implements OrderStore {
  #state: State = { orders: new Map(), timeline: new Map(), outbox: [], seq: 0 };
  #queue: Promise<unknown> = Promise.resolve();
  readonly #toEvent: EventMapper<OrderEvent>;

  constructor(toEvent: EventMapper<OrderEvent>) {
    this.#toEvent = toEvent;
  }

  get outbox(): readonly IntegrationEvent[] {
    return this.#state.outbox;
  }

  transaction<T>(ctx: RequestContext, work: (tx: OrderTransaction) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const draft: State = {
        orders: new Map(this.#state.orders),
        timeline: new Map([...this.#state.timeline].map(([key, entries]) => [key, [...entries]])),
        outbox: [...this.#state.outbox],
        seq: this.#state.seq,
      };
      const tenantId = ctx.tenantId;
      const toEvent = this.#toEvent;
      const tx: OrderTransaction = {
        async lock(orderId) {
          return draft.orders.get(k(tenantId, orderId))?.order;
        },
        async insert(order) {
          const taken = [...draft.orders.values()].some(
            (row) =>
              row.tenantId === tenantId && row.order.userId === order.userId && row.order.idempotencyKey === order.idempotencyKey,
          );
          if (taken || draft.orders.has(k(tenantId, order.id))) {
            throw alreadyExists("ORDER.IDEMPOTENCY_KEY_USED", "an order with this idempotency key exists");
          }
          draft.orders.set(k(tenantId, order.id), { tenantId, seq: ++draft.seq, order });
        },
        async update(order) {
          const row = draft.orders.get(k(tenantId, order.id));
          if (!row || row.order.version !== order.version - 1)
            throw conflict("ORDER.CONCURRENT_UPDATE", `order ${order.id} changed meanwhile`);
          draft.orders.set(k(tenantId, order.id), { ...row, order });
        },
        async appendTimeline(orderId, entries) {
          const key = k(tenantId, orderId);
          draft.timeline.set(key, [...(draft.timeline.get(key) ?? []), ...entries]);
        },
        async publish(events) {
          draft.outbox.push(...events.map((event) => toEvent(event, ctx)));
        },
      };
      const result = await work(tx);
      this.#state = draft;
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async find(tenantId: TenantId, orderId: string): Promise<Order | undefined> {
    return this.#state.orders.get(k(tenantId, orderId))?.order;
  }

  async findByIdempotencyKey(tenantId: TenantId, userId: string, idempotencyKey: string): Promise<Order | undefined> {
    return [...this.#state.orders.values()].find(
      (row) => row.tenantId === tenantId && row.order.userId === userId && row.order.idempotencyKey === idempotencyKey,
    )?.order;
  }

  async timeline(tenantId: TenantId, orderId: string): Promise<TimelineEntry[]> {
    return [...(this.#state.timeline.get(k(tenantId, orderId)) ?? [])];
  }

  async list(tenantId: TenantId, query: OrderQuery): Promise<Page<Order>> {
    const after = decodePageToken(query.pageToken);
    const statuses = query.statuses ?? [];
    const rows = [...this.#state.orders.values()]
      .filter((row) => row.tenantId === tenantId)
      .filter((row) => !query.userId || row.order.userId === query.userId)
      .filter((row) => statuses.length === 0 || statuses.includes(statusOf(row.order.state)))
      .filter((row) => !after || row.seq < Number(after))
      .sort((a, b) => b.seq - a.seq);
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      items: page.map((row) => row.order),
      nextPageToken: rows.length > query.pageSize && last ? encodePageToken(String(last.seq)) : undefined,
    };
  }

  async dueForPaymentWork(now: Date, limit: number): Promise<OrderRef[]> {
    return [...this.#state.orders.values()]
      .filter((row) => needsPaymentWork(row.order) && (!row.order.leaseUntil || row.order.leaseUntil.getTime() <= now.getTime()))
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit)
      .map((row) => ({ tenantId: row.tenantId, orderId: row.order.id }));
  }

  async dueForDeadline(now: Date, limit: number): Promise<OrderRef[]> {
    return [...this.#state.orders.values()]
      .filter((row) => !isFinal(row.order) && row.order.deadlineAt && row.order.deadlineAt.getTime() <= now.getTime())
      .sort((a, b) => (a.order.deadlineAt?.getTime() ?? 0) - (b.order.deadlineAt?.getTime() ?? 0))
      .slice(0, limit)
      .map((row) => ({ tenantId: row.tenantId, orderId: row.order.id }));
  }
}
