import { requireCaller, requireRole } from "../kit/caller-guards.ts";
import { invalidField, notFound, permissionDenied } from "../kit/domain-error.ts";
import { hasRole, type RequestContext } from "../kit/request-context.ts";
import { Roles } from "../kit/roles.ts";
import {
  applyStatusUpdate,
  createShipment,
  isCancellable,
  parseAddress,
  parseLines,
  SHIPMENT_STATUSES,
  type Shipment,
  type ShipmentLine,
  type ShipmentStatus,
  type ShippingAddress,
  type StatusUpdate,
} from "./shipment.ts";
import type { Page, ShipmentLookup, ShipmentTransaction } from "./shipment-store.ts";
import { pageSizeOf, type ShippingDeps } from "./shipping-deps.ts";

const MAX_ID = 64;

/** A confirmed order, as shipping needs it (from OrderConfirmed). */
export interface OrderToShip {
  readonly orderId: string;
  readonly userId: string;
  readonly destination: ShippingAddress | undefined;
  readonly lines: readonly ShipmentLine[];
}

/**
 * Ships a confirmed order: one shipment per (tenant, order), however often it is asked. A
 * shipment already there is answered as it is. Otherwise the carrier labels the parcel first
 * (idempotent on tenant and order, so a retry or a racing delivery gets the same label), then one
 * transaction stores the shipment and ShipmentCreated; a racing insert of the same order loses on
 * the unique key, runs again and answers the winner's shipment. Event handlers only (no user).
 */
export async function createShipmentForOrder(deps: ShippingDeps, ctx: RequestContext, order: OrderToShip): Promise<Shipment> {
  requireInternalCaller(ctx);
  const orderId = parseId(order.orderId, "order_id");
  const userId = parseId(order.userId, "user_id");
  const destination = parseAddress(order.destination);
  const lines = parseLines(order.lines);
  const existing = await deps.store.find(ctx.tenantId, { orderId });
  if (existing) return existing;
  const shipmentId = deps.newId();
  const serviceLevel = deps.policy.defaultServiceLevel;
  const label = await deps.carrier.createLabel(
    { idempotencyKey: `${ctx.tenantId}/${orderId}`, shipmentId, orderId, serviceLevel, destination, lines },
    ctx.signal,
  );
  return deps.store.transaction(ctx, async (tx) => {
    const raced = await tx.lock({ orderId });
    if (raced) return raced;
    const { shipment, events } = createShipment({
      id: shipmentId,
      orderId,
      userId,
      carrier: deps.carrier.name,
      serviceLevel,
      trackingNumber: label.trackingNumber,
      trackingUrl: label.trackingUrl,
      destination,
      lines,
      estimatedDeliveryAt: label.estimatedDeliveryAt,
      now: deps.clock.now(),
    });
    await tx.insert(shipment);
    await tx.publish(events);
    return shipment;
  });
}

/**
 * An order was cancelled. Before pickup the carrier voids the label and the shipment becomes
 * cancelled (no event: the order already knows). Once the carrier has the parcel, nothing is
 * changed: the shipment runs its course and the parcel comes back as a return. Resolves to the
 * shipment (undefined when the order never had one) and whether this call cancelled it.
 */
export async function cancelShipmentForOrder(
  deps: ShippingDeps,
  ctx: RequestContext,
  orderIdInput: string,
): Promise<{ shipment: Shipment | undefined; cancelled: boolean }> {
  requireInternalCaller(ctx);
  const orderId = parseId(orderIdInput, "order_id");
  const current = await deps.store.find(ctx.tenantId, { orderId });
  if (!current || !isCancellable(current)) return { shipment: current, cancelled: false };
  await deps.carrier.voidLabel(
    { trackingNumber: current.trackingNumber, idempotencyKey: `${ctx.tenantId}/${orderId}/void` },
    ctx.signal,
  );
  return deps.store.transaction(ctx, async (tx) => {
    const shipment = await tx.lock({ orderId });
    if (!shipment || !isCancellable(shipment)) return { shipment, cancelled: false };
    const now = deps.clock.now();
    const outcome = applyStatusUpdate(
      shipment,
      {
        status: "cancelled",
        occurredAt: now,
        location: "",
        description: "Order cancelled",
        carrierEventId: `order-cancelled:${orderId}`,
      },
      now,
    );
    if (outcome.kind === "unchanged") return { shipment, cancelled: false };
    await tx.update(outcome.shipment);
    await tx.publish(outcome.events);
    return { shipment: outcome.shipment, cancelled: true };
  });
}

export interface StatusUpdateInput {
  readonly status: ShipmentStatus | undefined;
  readonly occurredAt: Date | undefined;
  readonly location: string;
  readonly description: string;
  readonly carrierEventId: string;
}

/** UpdateShipmentStatus: a tenant admin reports a status of a shipment by its id. */
export async function updateShipmentStatus(
  deps: ShippingDeps,
  ctx: RequestContext,
  shipmentId: string,
  input: StatusUpdateInput,
): Promise<Shipment> {
  requireRole(ctx, Roles.tenantAdmin);
  return recordStatus(deps, ctx, { shipmentId: parseId(shipmentId, "shipment_id") }, input);
}

/**
 * The carrier's webhook: the same update, found by tracking number. The caller has verified the
 * carrier's signature; there is no user behind it.
 */
export async function recordCarrierUpdate(
  deps: ShippingDeps,
  ctx: RequestContext,
  trackingNumber: string,
  input: StatusUpdateInput,
): Promise<Shipment> {
  requireInternalCaller(ctx);
  return recordStatus(deps, ctx, { trackingNumber: parseId(trackingNumber, "tracking_number") }, input);
}

async function recordStatus(
  deps: ShippingDeps,
  ctx: RequestContext,
  lookup: ShipmentLookup,
  input: StatusUpdateInput,
): Promise<Shipment> {
  const update = parseUpdate(deps, input);
  return deps.store.transaction(ctx, async (tx: ShipmentTransaction) => {
    const shipment = await tx.lock(lookup);
    if (!shipment) throw shipmentNotFound(lookup);
    const outcome = applyStatusUpdate(shipment, update, deps.clock.now());
    if (outcome.kind === "unchanged") return shipment;
    await tx.update(outcome.shipment);
    await tx.publish(outcome.events);
    return outcome.shipment;
  });
}

/** GetShipment: by id or by order; its customer or a tenant admin, NOT_FOUND for anyone else. */
export async function getShipment(deps: ShippingDeps, ctx: RequestContext, lookup: ShipmentLookup): Promise<Shipment> {
  const caller = requireCaller(ctx);
  const parsed: ShipmentLookup =
    "shipmentId" in lookup
      ? { shipmentId: parseId(lookup.shipmentId, "shipment_id") }
      : "orderId" in lookup
        ? { orderId: parseId(lookup.orderId, "order_id") }
        : { trackingNumber: parseId(lookup.trackingNumber, "tracking_number") };
  const shipment = await deps.store.find(ctx.tenantId, parsed);
  if (!shipment || (shipment.userId !== caller.userId && !hasRole(ctx, Roles.tenantAdmin))) throw shipmentNotFound(parsed);
  return shipment;
}

/** ListShipments: newest first; a tenant admin sees the tenant's, anyone else their own. */
export async function listShipments(
  deps: ShippingDeps,
  ctx: RequestContext,
  query: { status?: ShipmentStatus | undefined; pageSize?: number; pageToken?: string },
): Promise<Page<Shipment>> {
  const caller = requireCaller(ctx);
  return deps.store.list(ctx.tenantId, {
    userId: hasRole(ctx, Roles.tenantAdmin) ? undefined : caller.userId,
    status: query.status,
    pageSize: pageSizeOf(query.pageSize),
    pageToken: query.pageToken || undefined,
  });
}

/** TrackShipment: public facts of a shipment by tracking number; anyone of the tenant. */
export async function trackShipment(deps: ShippingDeps, ctx: RequestContext, trackingNumber: string): Promise<Shipment> {
  const lookup = { trackingNumber: parseId(trackingNumber, "tracking_number") };
  const shipment = await deps.store.find(ctx.tenantId, lookup);
  if (!shipment) throw shipmentNotFound(lookup);
  return shipment;
}

/** Event handlers and the signed webhook: no user token; a call that carries one must be a tenant admin's. */
function requireInternalCaller(ctx: RequestContext): void {
  if (ctx.caller && !hasRole(ctx, Roles.tenantAdmin)) throw permissionDenied("requires an internal caller or role tenant_admin");
}

function parseUpdate(deps: ShippingDeps, input: StatusUpdateInput): StatusUpdate {
  if (!input.status || !SHIPMENT_STATUSES.includes(input.status)) throw invalidField("status", "is required");
  const occurredAt = input.occurredAt;
  if (!occurredAt || Number.isNaN(occurredAt.getTime())) throw invalidField("occur_time", "is required");
  if (occurredAt.getTime() > deps.clock.now().getTime() + deps.policy.maxClockSkewMs) {
    throw invalidField("occur_time", "is in the future");
  }
  if (input.location.length > 200) throw invalidField("location", "must be at most 200 characters");
  if (input.description.length > 500) throw invalidField("description", "must be at most 500 characters");
  if (input.carrierEventId.trim().length === 0 || input.carrierEventId.length > 128) {
    throw invalidField("carrier_event_id", "must be 1-128 characters");
  }
  return {
    status: input.status,
    occurredAt,
    location: input.location,
    description: input.description,
    carrierEventId: input.carrierEventId,
  };
}

function parseId(value: string, field: string): string {
  if (value.trim().length === 0 || value.length > MAX_ID) throw invalidField(field, `must be 1-${MAX_ID} characters`);
  return value;
}

function shipmentNotFound(lookup: ShipmentLookup) {
  const [by, id] = Object.entries(lookup)[0] as [string, string];
  const what = by === "orderId" ? "of order " : by === "trackingNumber" ? "with tracking number " : "";
  return notFound("shipment", `${what}${id}`, "SHIPPING.SHIPMENT_NOT_FOUND");
}
