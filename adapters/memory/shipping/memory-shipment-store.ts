import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { decodePageToken, encodePageToken } from "../../../core/kit/page-token.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import type { Shipment } from "../../../core/shipping/shipment.ts";
import type {
  Page,
  ShipmentLookup,
  ShipmentQuery,
  ShipmentStore,
  ShipmentTransaction,
} from "../../../core/shipping/shipment-store.ts";
import type { ShippingEvent } from "../../../core/shipping/shipping-events.ts";

type Stored = Shipment & { readonly tenantId: TenantId; readonly seq: number };

interface State {
  shipments: Map<string, Stored>;
  outbox: IntegrationEvent[];
  seq: number;
}

const k = (...parts: string[]) => parts.join("\u0000");

/**
 * Shipments in a Map, for unit tests and as the reference the SQL adapter is held to: one
 * transaction at a time (a queue), on a copy that replaces the state on success. A duplicate
 * order or tracking number rejects the transaction (the SQL adapter retries it; here nothing can race).
 */
export class MemoryShipmentStore implements ShipmentStore {
  #state: State = { shipments: new Map(), outbox: [], seq: 0 };
  #queue: Promise<unknown> = Promise.resolve();
  readonly #toEvent: EventMapper<ShippingEvent>;

  constructor(toEvent: EventMapper<ShippingEvent>) {
    this.#toEvent = toEvent;
  }

  get outbox(): readonly IntegrationEvent[] {
    return this.#state.outbox;
  }

  transaction<T>(ctx: RequestContext, work: (tx: ShipmentTransaction) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const draft: State = { shipments: new Map(this.#state.shipments), outbox: [...this.#state.outbox], seq: this.#state.seq };
      const result = await work(this.#tx(draft, ctx));
      this.#state = draft;
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #tx(s: State, ctx: RequestContext): ShipmentTransaction {
    const t = ctx.tenantId;
    const toEvent = this.#toEvent;
    return {
      async lock(lookup) {
        return strip(findIn(s, t, lookup));
      },
      async insert(shipment) {
        const clash = [...s.shipments.values()].some(
          (x) =>
            x.tenantId === t &&
            (x.id === shipment.id || x.orderId === shipment.orderId || x.trackingNumber === shipment.trackingNumber),
        );
        if (clash) throw new Error(`duplicate shipment for order ${shipment.orderId}`);
        s.shipments.set(k(t, shipment.id), { ...shipment, tenantId: t, seq: ++s.seq });
      },
      async update(shipment) {
        const stored = s.shipments.get(k(t, shipment.id));
        if (!stored) throw new Error(`no shipment ${shipment.id}`);
        s.shipments.set(k(t, shipment.id), { ...shipment, tenantId: t, seq: stored.seq });
      },
      async publish(events) {
        s.outbox.push(...events.map((event) => toEvent(event, ctx)));
      },
    };
  }

  async find(tenantId: TenantId, lookup: ShipmentLookup): Promise<Shipment | undefined> {
    return strip(findIn(this.#state, tenantId, lookup));
  }

  async list(tenantId: TenantId, query: ShipmentQuery): Promise<Page<Shipment>> {
    const after = decodePageToken(query.pageToken);
    const rows = [...this.#state.shipments.values()]
      .filter(
        (x) =>
          x.tenantId === tenantId &&
          (!query.userId || x.userId === query.userId) &&
          (!query.status || x.status === query.status) &&
          (!after || x.seq < Number(after)),
      )
      .sort((a, b) => b.seq - a.seq);
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      items: page.map((x) => strip(x) as Shipment),
      nextPageToken: rows.length > query.pageSize && last ? encodePageToken(String(last.seq)) : undefined,
    };
  }
}

function findIn(s: State, tenantId: TenantId, lookup: ShipmentLookup): Stored | undefined {
  if ("shipmentId" in lookup) return s.shipments.get(k(tenantId, lookup.shipmentId));
  for (const x of s.shipments.values()) {
    if (x.tenantId !== tenantId) continue;
    if ("orderId" in lookup ? x.orderId === lookup.orderId : x.trackingNumber === lookup.trackingNumber) return x;
  }
  return undefined;
}

function strip(stored: Stored | undefined): Shipment | undefined {
  if (!stored) return undefined;
  const { tenantId: _t, seq: _s, ...shipment } = stored;
  return shipment;
}
