import type { RequestContext, TenantId } from "../kit/request-context.ts";
import type { Shipment, ShipmentStatus } from "./shipment.ts";
import type { ShippingEvent } from "./shipping-events.ts";

/** One way to find a shipment of a tenant; each is unique within the tenant. */
export type ShipmentLookup = { readonly shipmentId: string } | { readonly orderId: string } | { readonly trackingNumber: string };

/** One transaction on one tenant's shipments; events appended here commit with the state (the outbox). */
export interface ShipmentTransaction {
  /** The shipment, locked until the transaction ends. */
  lock(lookup: ShipmentLookup): Promise<Shipment | undefined>;
  /** A second shipment for the same order (or tracking number) makes the transaction run again. */
  insert(shipment: Shipment): Promise<void>;
  update(shipment: Shipment): Promise<void>;
  publish(events: readonly ShippingEvent[]): Promise<void>;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string | undefined;
}

export interface ShipmentQuery {
  /** Only this customer's shipments. */
  readonly userId?: string | undefined;
  readonly status?: ShipmentStatus | undefined;
  readonly pageSize: number;
  readonly pageToken?: string | undefined;
}

/**
 * Where shipments live. `transaction` runs `work` atomically and runs it again (a bounded number
 * of times) after a deadlock or a duplicate key: `work` must only act through `tx`.
 */
export interface ShipmentStore {
  transaction<T>(ctx: RequestContext, work: (tx: ShipmentTransaction) => Promise<T>): Promise<T>;
  /** Unlocked read. */
  find(tenantId: TenantId, lookup: ShipmentLookup): Promise<Shipment | undefined>;
  /** Newest first. */
  list(tenantId: TenantId, query: ShipmentQuery): Promise<Page<Shipment>>;
}
