import { failedPrecondition, invalidField } from "../kit/domain-error.ts";
import type { ShippingEvent } from "./shipping-events.ts";

export type ShipmentStatus =
  | "label_created"
  | "picked_up"
  | "in_transit"
  | "out_for_delivery"
  | "delivered"
  | "exception"
  | "cancelled";

export const SHIPMENT_STATUSES: readonly ShipmentStatus[] = [
  "label_created",
  "picked_up",
  "in_transit",
  "out_for_delivery",
  "delivered",
  "exception",
  "cancelled",
];

export type ServiceLevel = "standard" | "express" | "overnight";

/** Where a parcel goes: a copy of the order's shipping address, taken when the order was confirmed. */
export interface ShippingAddress {
  readonly recipientName: string;
  readonly addressLines: readonly string[];
  readonly locality: string;
  readonly administrativeArea: string;
  readonly postalCode: string;
  readonly countryCode: string;
  readonly phoneNumber: string;
}

export interface ShipmentLine {
  readonly sku: string;
  readonly quantity: number;
}

/** One status report of the carrier (or an admin), kept in the history even when it moved nothing. */
export interface TrackingEvent {
  readonly status: ShipmentStatus;
  readonly occurredAt: Date;
  readonly location: string;
  readonly description: string;
  /** The reporter's id of this update: a second report with the same id changes nothing. */
  readonly carrierEventId: string;
}

/** The parcel(s) of one order: one shipment per (tenant, order). */
export interface Shipment {
  readonly id: string;
  readonly orderId: string;
  readonly userId: string;
  readonly status: ShipmentStatus;
  /** When the status in force happened at the carrier (older reports never move it back). */
  readonly statusAt: Date;
  readonly carrier: string;
  readonly serviceLevel: ServiceLevel;
  readonly trackingNumber: string;
  readonly trackingUrl: string;
  readonly destination: ShippingAddress;
  readonly lines: readonly ShipmentLine[];
  /** Oldest first. */
  readonly trackingEvents: readonly TrackingEvent[];
  readonly estimatedDeliveryAt: Date | undefined;
  /** When the carrier first had it (OrderShipped was published); undefined before. */
  readonly shippedAt: Date | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface StatusUpdate {
  readonly status: ShipmentStatus;
  readonly occurredAt: Date;
  readonly location: string;
  readonly description: string;
  readonly carrierEventId: string;
}

export type UpdateOutcome =
  | { readonly kind: "unchanged" }
  | { readonly kind: "changed"; readonly shipment: Shipment; readonly events: readonly ShippingEvent[] };

/** A shipment keeps at most this many status reports; one more is refused. */
export const MAX_TRACKING_EVENTS = 200;
export const MAX_SHIPMENT_LINES = 200;
export const MAX_LINE_QUANTITY = 10_000;

/** The forward path of a parcel; exception and cancelled stand aside. */
const PROGRESS: Partial<Record<ShipmentStatus, number>> = {
  label_created: 1,
  picked_up: 2,
  in_transit: 3,
  out_for_delivery: 4,
  delivered: 5,
};
const FINAL: ReadonlySet<ShipmentStatus> = new Set(["delivered", "cancelled"]);
/** Statuses at which the carrier has the parcel. */
const WITH_CARRIER: ReadonlySet<ShipmentStatus> = new Set(["picked_up", "in_transit", "out_for_delivery", "delivered"]);

/**
 * Whether a shipment at `from` may move to `to` (the status machine, for an update at least as
 * new as the status in force):
 * - forward along label_created -> picked_up -> in_transit -> out_for_delivery -> delivered,
 *   skipping steps allowed (carriers miss scans), never backwards;
 * - any non-final status -> exception; exception -> in_transit, out_for_delivery, delivered
 *   (recovered), or picked_up when the carrier never had it;
 * - label_created -> cancelled (before pickup only);
 * - delivered and cancelled are final.
 */
export function canMove(from: ShipmentStatus, to: ShipmentStatus, shipped: boolean): boolean {
  if (from === to || FINAL.has(from)) return false;
  if (to === "cancelled") return from === "label_created";
  if (to === "exception") return true;
  if (to === "label_created") return false;
  if (from === "exception") return to !== "picked_up" || !shipped;
  return (PROGRESS[to] ?? 0) > (PROGRESS[from] ?? 0);
}

/** A move forward along the progress path (true whatever the report's age). */
function isForwardProgress(from: ShipmentStatus, to: ShipmentStatus): boolean {
  const a = PROGRESS[from];
  const b = PROGRESS[to];
  return a !== undefined && b !== undefined && b > a;
}

/** A new shipment, as the carrier labelled it; raises ShipmentCreated. */
export function createShipment(init: {
  readonly id: string;
  readonly orderId: string;
  readonly userId: string;
  readonly carrier: string;
  readonly serviceLevel: ServiceLevel;
  readonly trackingNumber: string;
  readonly trackingUrl: string;
  readonly destination: ShippingAddress;
  readonly lines: readonly ShipmentLine[];
  readonly estimatedDeliveryAt: Date | undefined;
  readonly now: Date;
}): { shipment: Shipment; events: ShippingEvent[] } {
  const shipment: Shipment = {
    id: init.id,
    orderId: init.orderId,
    userId: init.userId,
    status: "label_created",
    statusAt: init.now,
    carrier: init.carrier,
    serviceLevel: init.serviceLevel,
    trackingNumber: init.trackingNumber,
    trackingUrl: init.trackingUrl,
    destination: init.destination,
    lines: init.lines,
    trackingEvents: [
      {
        status: "label_created",
        occurredAt: init.now,
        location: "",
        description: "Label created",
        carrierEventId: `created:${init.id}`,
      },
    ],
    estimatedDeliveryAt: init.estimatedDeliveryAt,
    shippedAt: undefined,
    createdAt: init.now,
    updatedAt: init.now,
  };
  return { shipment, events: [{ type: "ShipmentCreated", shipment }] };
}

/**
 * Applies one status report. A report whose carrier event id is in the history already changes
 * nothing. A report of the status in force, or one older than it that would not move the parcel
 * forward, only joins the history. A move the machine forbids is FAILED_PRECONDITION. A move
 * publishes OrderShipped the first time the carrier has the parcel (picked up, in transit, or a
 * later status when the earlier scans were missed), OrderDelivered on delivered and
 * ShipmentException on exception.
 */
export function applyStatusUpdate(shipment: Shipment, update: StatusUpdate, now: Date): UpdateOutcome {
  if (shipment.trackingEvents.some((e) => e.carrierEventId === update.carrierEventId)) return { kind: "unchanged" };
  if (shipment.trackingEvents.length >= MAX_TRACKING_EVENTS) {
    throw failedPrecondition("SHIPPING.HISTORY_FULL", `shipment ${shipment.id} has ${MAX_TRACKING_EVENTS} status reports`);
  }
  const trackingEvents = insertByTime(shipment.trackingEvents, update);
  const from = shipment.status;
  const to = update.status;
  const older = update.occurredAt.getTime() < shipment.statusAt.getTime();
  const moves = from !== to && (older ? isForwardProgress(from, to) : canMove(from, to, shipment.shippedAt !== undefined));
  if (!moves) {
    if (from === to || older) {
      return { kind: "changed", shipment: { ...shipment, trackingEvents, updatedAt: now }, events: [] };
    }
    throw failedPrecondition("SHIPPING.ILLEGAL_TRANSITION", `shipment ${shipment.id} is ${from}: it cannot become ${to}`);
  }
  const firstShipped = shipment.shippedAt === undefined && WITH_CARRIER.has(to);
  const next: Shipment = {
    ...shipment,
    status: to,
    statusAt: older ? shipment.statusAt : update.occurredAt,
    trackingEvents,
    shippedAt: firstShipped ? update.occurredAt : shipment.shippedAt,
    updatedAt: now,
  };
  const events: ShippingEvent[] = [];
  if (firstShipped) events.push({ type: "OrderShipped", shipment: next, shippedAt: update.occurredAt });
  if (to === "delivered") events.push({ type: "OrderDelivered", shipment: next, deliveredAt: update.occurredAt });
  if (to === "exception") events.push({ type: "ShipmentException", shipment: next, description: update.description });
  return { kind: "changed", shipment: next, events };
}

/** Whether a cancelled order can still stop this shipment: only before the carrier has it. */
export function isCancellable(shipment: Shipment): boolean {
  return shipment.status === "label_created";
}

function insertByTime(history: readonly TrackingEvent[], update: StatusUpdate): TrackingEvent[] {
  const entry: TrackingEvent = {
    status: update.status,
    occurredAt: update.occurredAt,
    location: update.location,
    description: update.description,
    carrierEventId: update.carrierEventId,
  };
  const at = history.findIndex((e) => e.occurredAt.getTime() > update.occurredAt.getTime());
  return at < 0 ? [...history, entry] : [...history.slice(0, at), entry, ...history.slice(at)];
}

/** As inventory spells SKUs: 1..64 characters, no surrounding space. */
const SKU_PATTERN = /^\S(?:.{0,62}\S)?$/u;

/** The lines of an order to ship: 1..200, quantities 1..10000. */
export function parseLines(lines: readonly ShipmentLine[]): ShipmentLine[] {
  if (lines.length === 0 || lines.length > MAX_SHIPMENT_LINES)
    throw invalidField("lines", `must hold 1-${MAX_SHIPMENT_LINES} lines`);
  return lines.map((line, i) => {
    if (!SKU_PATTERN.test(line.sku)) throw invalidField(`lines[${i}].sku`, "must be 1-64 characters");
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_LINE_QUANTITY) {
      throw invalidField(`lines[${i}].quantity`, `must be 1-${MAX_LINE_QUANTITY}`);
    }
    return { sku: line.sku, quantity: line.quantity };
  });
}

/** The destination must say who and where: a recipient, 1..3 address lines and a locality. */
export function parseAddress(address: ShippingAddress | undefined, field = "shipping_address"): ShippingAddress {
  if (!address) throw invalidField(field, "is required");
  const text = (value: string, name: string, max: number, required: boolean) => {
    const trimmed = value.trim();
    if ((required && trimmed.length === 0) || value.length > max) {
      throw invalidField(`${field}.${name}`, required ? `must be 1-${max} characters` : `must be at most ${max} characters`);
    }
    return value;
  };
  if (address.addressLines.length === 0 || address.addressLines.length > 3) {
    throw invalidField(`${field}.address_lines`, "must hold 1-3 lines");
  }
  if (address.countryCode !== "" && !/^[A-Z]{2}$/.test(address.countryCode)) {
    throw invalidField(`${field}.country_code`, "must be an ISO 3166-1 alpha-2 code");
  }
  return {
    recipientName: text(address.recipientName, "recipient_name", 200, true),
    addressLines: address.addressLines.map((line, i) => text(line, `address_lines[${i}]`, 200, true)),
    locality: text(address.locality, "locality", 100, true),
    administrativeArea: text(address.administrativeArea, "administrative_area", 100, false),
    postalCode: text(address.postalCode, "postal_code", 20, false),
    countryCode: address.countryCode,
    phoneNumber: text(address.phoneNumber, "phone_number", 16, false),
  };
}
