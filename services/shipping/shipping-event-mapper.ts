import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { EventMapper } from "../../core/kit/event-mapper.ts";
import type { ShippingEvent } from "../../core/shipping/shipping-events.ts";
import { encodeEvent } from "../../adapters/protobuf/integration-event-encoding.ts";
import {
  OrderDeliveredSchema,
  OrderShippedSchema,
  ShipmentCreatedSchema,
  ShipmentExceptionSchema,
} from "../../gen/shop/events/v1/shipping_events_pb.ts";
import { SHIPPING_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { SHIPPING_EVENTS_TOPIC };

/** Every shipping event is keyed by shipment id (one shipment's events keep their order), under the call's tenant. */
export const shippingEventMapper: EventMapper<ShippingEvent> = (event, ctx) => {
  const scope = { tenantId: ctx.tenantId, correlationId: ctx.correlationId };
  const s = event.shipment;
  const address = { topic: SHIPPING_EVENTS_TOPIC, key: s.id, occurredAt: s.updatedAt };
  const estimate = s.estimatedDeliveryAt ? { estimatedDeliveryTime: timestampFromDate(s.estimatedDeliveryAt) } : {};
  switch (event.type) {
    case "ShipmentCreated":
      return encodeEvent(
        ShipmentCreatedSchema,
        {
          shipmentId: s.id,
          orderId: s.orderId,
          userId: s.userId,
          carrier: s.carrier,
          serviceLevel: s.serviceLevel.toUpperCase(),
          trackingNumber: s.trackingNumber,
          ...estimate,
        },
        address,
        scope,
      );
    case "OrderShipped":
      return encodeEvent(
        OrderShippedSchema,
        {
          shipmentId: s.id,
          orderId: s.orderId,
          userId: s.userId,
          carrier: s.carrier,
          trackingNumber: s.trackingNumber,
          trackingUrl: s.trackingUrl,
          shipTime: timestampFromDate(event.shippedAt),
          ...estimate,
        },
        address,
        scope,
      );
    case "OrderDelivered":
      return encodeEvent(
        OrderDeliveredSchema,
        { shipmentId: s.id, orderId: s.orderId, userId: s.userId, deliverTime: timestampFromDate(event.deliveredAt) },
        address,
        scope,
      );
    case "ShipmentException":
      return encodeEvent(
        ShipmentExceptionSchema,
        { shipmentId: s.id, orderId: s.orderId, userId: s.userId, description: event.description },
        address,
        scope,
      );
  }
};
