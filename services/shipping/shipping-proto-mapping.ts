import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { invalidField } from "../../core/kit/domain-error.ts";
import type { ServiceLevel, Shipment, ShipmentStatus, ShippingAddress, TrackingEvent } from "../../core/shipping/shipment.ts";
import type { PostalAddress } from "../../gen/shop/common/v1/address_pb.ts";
import {
  ServiceLevel as ProtoServiceLevel,
  ShipmentStatus as ProtoShipmentStatus,
  type ShipmentSchema,
  type TrackingEventSchema,
  type TrackShipmentResponseSchema,
} from "../../gen/shop/shipping/v1/shipping_pb.ts";

const STATUSES: Record<ShipmentStatus, ProtoShipmentStatus> = {
  label_created: ProtoShipmentStatus.LABEL_CREATED,
  picked_up: ProtoShipmentStatus.PICKED_UP,
  in_transit: ProtoShipmentStatus.IN_TRANSIT,
  out_for_delivery: ProtoShipmentStatus.OUT_FOR_DELIVERY,
  delivered: ProtoShipmentStatus.DELIVERED,
  exception: ProtoShipmentStatus.EXCEPTION,
  cancelled: ProtoShipmentStatus.CANCELLED,
};
const SERVICE_LEVELS: Record<ServiceLevel, ProtoServiceLevel> = {
  standard: ProtoServiceLevel.STANDARD,
  express: ProtoServiceLevel.EXPRESS,
  overnight: ProtoServiceLevel.OVERNIGHT,
};

/** UNSPECIFIED is "none" (undefined); a value outside the table is the caller's error. */
export function statusFromProto(value: ProtoShipmentStatus, field = "status"): ShipmentStatus | undefined {
  if (value === ProtoShipmentStatus.UNSPECIFIED) return undefined;
  const found = (Object.entries(STATUSES) as [ShipmentStatus, ProtoShipmentStatus][]).find(([, v]) => v === value);
  if (!found) throw invalidField(field, "is not a known value");
  return found[0];
}

/** The status by its proto name ("IN_TRANSIT" or "SHIPMENT_STATUS_IN_TRANSIT"), as the carrier webhook sends it. */
export function statusFromName(name: string): ShipmentStatus | undefined {
  const key = name.replace(/^SHIPMENT_STATUS_/, "").toLowerCase();
  return Object.hasOwn(STATUSES, key) ? (key as ShipmentStatus) : undefined;
}

export function dateFromProto(value: Timestamp | undefined): Date | undefined {
  return value ? timestampDate(value) : undefined;
}

export function addressFromProto(a: PostalAddress | undefined): ShippingAddress | undefined {
  if (!a) return undefined;
  return {
    recipientName: a.recipientName,
    addressLines: [...a.addressLines],
    locality: a.locality,
    administrativeArea: a.administrativeArea,
    postalCode: a.postalCode,
    countryCode: a.countryCode,
    phoneNumber: a.phoneNumber,
  };
}

export function trackingEventToProto(e: TrackingEvent): MessageInitShape<typeof TrackingEventSchema> {
  return {
    status: STATUSES[e.status],
    occurTime: timestampFromDate(e.occurredAt),
    location: e.location,
    description: e.description,
  };
}

export function shipmentToProto(s: Shipment): MessageInitShape<typeof ShipmentSchema> {
  return {
    shipmentId: s.id,
    orderId: s.orderId,
    userId: s.userId,
    status: STATUSES[s.status],
    carrier: s.carrier,
    serviceLevel: SERVICE_LEVELS[s.serviceLevel],
    trackingNumber: s.trackingNumber,
    trackingUrl: s.trackingUrl,
    destination: { ...s.destination, addressLines: [...s.destination.addressLines] },
    lines: s.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
    trackingEvents: s.trackingEvents.map(trackingEventToProto),
    ...(s.estimatedDeliveryAt ? { estimatedDeliveryTime: timestampFromDate(s.estimatedDeliveryAt) } : {}),
    createTime: timestampFromDate(s.createdAt),
    updateTime: timestampFromDate(s.updatedAt),
  };
}

/** Public tracking: status and history, no address, customer or contents. */
export function trackingToProto(s: Shipment): MessageInitShape<typeof TrackShipmentResponseSchema> {
  return {
    trackingNumber: s.trackingNumber,
    carrier: s.carrier,
    status: STATUSES[s.status],
    trackingEvents: s.trackingEvents.map(trackingEventToProto),
    ...(s.estimatedDeliveryAt ? { estimatedDeliveryTime: timestampFromDate(s.estimatedDeliveryAt) } : {}),
  };
}
