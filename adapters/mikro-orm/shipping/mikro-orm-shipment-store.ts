import { type InferEntity, LockMode } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { DomainError } from "../../../core/kit/domain-error.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
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
import { appendMappedToOutbox } from "../mikro-orm-outbox.ts";
import { afterSequence, sequencePage } from "../sequence-page.ts";
import { readCommittedTransaction } from "../transaction-retry.ts";
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
    return readCommittedTransaction(this.#em, (em) => work(this.#tx(em, ctx)), {
      retry: { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 2 },
      busy: (cause) =>
        new DomainError("conflict", "SHIPPING.BUSY", "shipping is busy with concurrent changes: try again", { cause }),
      onRetry: () => {
        this.retries++;
      },
    });
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
        await appendMappedToOutbox(em, toEvent, ctx, events);
      },
    };
  }

  async find(tenantId: TenantId, lookup: ShipmentLookup): Promise<Shipment | undefined> {
    const row = await this.#em.fork().findOne(ShipmentRecord, { tenantId, ...whereOf(lookup) }, { disableIdentityMap: true });
    return row ? toShipment(row) : undefined;
  }

  async list(tenantId: TenantId, query: ShipmentQuery): Promise<Page<Shipment>> {
    const rows = await this.#em.fork().find(
      ShipmentRecord,
      {
        tenantId,
        ...(query.userId ? { userId: query.userId } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...afterSequence(query.pageToken),
      },
      { orderBy: { sequence: "desc" }, limit: query.pageSize + 1, disableIdentityMap: true },
    );
    return sequencePage(rows, query.pageSize, (page) => page.map(toShipment));
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
