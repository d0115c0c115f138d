import {
  DeadlockException,
  type InferEntity,
  IsolationLevel,
  LockMode,
  LockWaitTimeoutException,
  UniqueConstraintViolationException,
} from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { DomainError } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import { decodePageToken, encodePageToken } from "../../../core/kit/page-token.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import type { ServiceLevel, Shipment, ShipmentStatus, TrackingEvent } from "../../../core/shipping/shipment.ts";
import type {
  Page,
  ShipmentLookup,
  ShipmentQuery,
  ShipmentStore,
  ShipmentTransaction,
} from "../../../core/shipping/shipment-store.ts";
import type { ShippingEvent } from "../../../core/shipping/shipping-events.ts";
import { appendToOutbox } from "../mikro-orm-outbox.ts";
import { ShipmentRecord } from "./shipping-records.ts";

type ShipmentRow = InferEntity<typeof ShipmentRecord>;

/** Attempts in all (the first included) of a transaction that met a deadlock, a lock wait timeout or a duplicate key. */
const MAX_ATTEMPTS = 5;

/**
 * Shipments in a SQL database (MariaDB, or SQLite embedded). Each transaction runs at read
 * committed; `lock` is SELECT ... FOR UPDATE (SQLite runs one writer at a time and drops the
 * clause). A deadlock, a lock wait timeout or a duplicate key (two first shipments of one order)
 * rolls back and runs the work again; after MAX_ATTEMPTS the caller gets ABORTED `SHIPPING.BUSY`.
 */
export class MikroOrmShipmentStore implements ShipmentStore {
  readonly #em: SqlEntityManager;
  readonly #toEvent: EventMapper<ShippingEvent>;
  /** Transactions that needed more than one attempt (for tests and metrics). */
  retries = 0;

  constructor(em: SqlEntityManager, toEvent: EventMapper<ShippingEvent>) {
    this.#em = em;
    this.#toEvent = toEvent;
  }

  async transaction<T>(ctx: RequestContext, work: (tx: ShipmentTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#em
          .fork()
          .transactional((em) => work(this.#tx(em, ctx)), { isolationLevel: IsolationLevel.READ_COMMITTED });
      } catch (error) {
        const retryable =
          error instanceof DeadlockException ||
          error instanceof LockWaitTimeoutException ||
          error instanceof UniqueConstraintViolationException;
        if (!retryable) throw error;
        if (attempt >= MAX_ATTEMPTS) {
          throw new DomainError("conflict", "SHIPPING.BUSY", "shipping is busy with concurrent changes: try again", {
            cause: error,
          });
        }
        this.retries++;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt * 2));
      }
    }
  }

  #tx(em: SqlEntityManager, ctx: RequestContext): ShipmentTransaction {
    const tenantId = ctx.tenantId;
    const toEvent = this.#toEvent;
    return {
      async lock(lookup) {
        const row = await em.findOne(
          ShipmentRecord,
          { tenantId, ...whereOf(lookup) },
          { lockMode: LockMode.PESSIMISTIC_WRITE, disableIdentityMap: true },
        );
        return row ? toShipment(row) : undefined;
      },
      async insert(shipment) {
        await em.insert(ShipmentRecord, { tenantId, ...toFields(shipment) });
      },
      async update(shipment) {
        const changed = await em.nativeUpdate(ShipmentRecord, { tenantId, shipmentId: shipment.id }, toFields(shipment));
        if (changed !== 1) throw new Error(`shipment ${shipment.id} vanished under its lock`);
      },
      async publish(events) {
        await appendToOutbox(
          em,
          events.map((event) => toEvent(event, ctx)),
        );
      },
    };
  }

  async find(tenantId: TenantId, lookup: ShipmentLookup): Promise<Shipment | undefined> {
    const row = await this.#em.fork().findOne(ShipmentRecord, { tenantId, ...whereOf(lookup) }, { disableIdentityMap: true });
    return row ? toShipment(row) : undefined;
  }

  async list(tenantId: TenantId, query: ShipmentQuery): Promise<Page<Shipment>> {
    const after = decodePageToken(query.pageToken);
    const rows = await this.#em.fork().find(
      ShipmentRecord,
      {
        tenantId,
        ...(query.userId ? { userId: query.userId } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(after ? { sequence: { $lt: Number(after) } } : {}),
      },
      { orderBy: { sequence: "desc" }, limit: query.pageSize + 1, disableIdentityMap: true },
    );
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      items: page.map(toShipment),
      nextPageToken: rows.length > query.pageSize && last ? encodePageToken(String(last.sequence)) : undefined,
    };
  }
}

function whereOf(lookup: ShipmentLookup) {
  if ("shipmentId" in lookup) return { shipmentId: lookup.shipmentId };
  if ("orderId" in lookup) return { orderId: lookup.orderId };
  return { trackingNumber: lookup.trackingNumber };
}

function toFields(s: Shipment) {
  return {
    shipmentId: s.id,
    orderId: s.orderId,
    userId: s.userId,
    status: s.status,
    statusAt: s.statusAt,
    carrier: s.carrier,
    serviceLevel: s.serviceLevel,
    trackingNumber: s.trackingNumber,
    trackingUrl: s.trackingUrl,
    destination: JSON.stringify(s.destination),
    lines: JSON.stringify(s.lines),
    trackingEvents: JSON.stringify(s.trackingEvents.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() }))),
    estimatedDeliveryAt: s.estimatedDeliveryAt ?? null,
    shippedAt: s.shippedAt ?? null,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

function toShipment(row: ShipmentRow): Shipment {
  const events = JSON.parse(row.trackingEvents) as (Omit<TrackingEvent, "occurredAt"> & { occurredAt: string })[];
  return {
    id: row.shipmentId,
    orderId: row.orderId,
    userId: row.userId,
    status: row.status as ShipmentStatus,
    statusAt: row.statusAt,
    carrier: row.carrier,
    serviceLevel: row.serviceLevel as ServiceLevel,
    trackingNumber: row.trackingNumber,
    trackingUrl: row.trackingUrl,
    destination: JSON.parse(row.destination),
    lines: JSON.parse(row.lines),
    trackingEvents: events.map((e) => ({ ...e, occurredAt: new Date(e.occurredAt) })),
    estimatedDeliveryAt: row.estimatedDeliveryAt ?? undefined,
    shippedAt: row.shippedAt ?? undefined,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
