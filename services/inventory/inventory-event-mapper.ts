import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { EventMapper } from "../../core/kit/event-mapper.ts";
import type { InventoryEvent } from "../../core/inventory/inventory-events.ts";
import type { Reservation } from "../../core/inventory/reservation.ts";
import { encodeEvent } from "../../adapters/protobuf/integration-event-encoding.ts";
import {
  InventoryCommittedSchema,
  InventoryRejectedSchema,
  InventoryReleaseReason,
  InventoryReleasedSchema,
  InventoryReservedSchema,
  StockAvailabilityChangedSchema,
  StockLowSchema,
} from "../../gen/shop/events/v1/inventory_events_pb.ts";
import { INVENTORY_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { INVENTORY_EVENTS_TOPIC };

/**
 * Reservation events are keyed by order id (the orders saga reads them in order), stock events
 * by SKU (catalog keeps its in-stock flags from them), all under the call's tenant.
 */
export const inventoryEventMapper: EventMapper<InventoryEvent> = (event, ctx) => {
  const scope = { tenantId: ctx.tenantId, correlationId: ctx.correlationId };
  const byOrder = (r: Reservation) => ({ topic: INVENTORY_EVENTS_TOPIC, key: r.orderId, occurredAt: r.updatedAt });
  switch (event.type) {
    case "InventoryReserved": {
      const r = event.reservation;
      return encodeEvent(
        InventoryReservedSchema,
        { orderId: r.orderId, reservationId: r.id, lines: [...r.lines], expireTime: timestampFromDate(r.expiresAt) },
        byOrder(r),
        scope,
      );
    }
    case "InventoryRejected": {
      const r = event.reservation;
      return encodeEvent(
        InventoryRejectedSchema,
        { orderId: r.orderId, reservationId: r.id, shortLines: [...r.shortLines] },
        byOrder(r),
        scope,
      );
    }
    case "InventoryReleased": {
      const r = event.reservation;
      return encodeEvent(
        InventoryReleasedSchema,
        { orderId: r.orderId, reservationId: r.id, reason: releaseReasonOf(r), lines: [...r.lines] },
        byOrder(r),
        scope,
      );
    }
    case "InventoryCommitted": {
      const r = event.reservation;
      return encodeEvent(InventoryCommittedSchema, { orderId: r.orderId, reservationId: r.id }, byOrder(r), scope);
    }
    case "StockLow":
      return encodeEvent(
        StockLowSchema,
        { sku: event.sku, availableQuantity: event.available, restockThreshold: event.restockThreshold },
        { topic: INVENTORY_EVENTS_TOPIC, key: event.sku, occurredAt: event.at },
        scope,
      );
    case "StockAvailabilityChanged":
      return encodeEvent(
        StockAvailabilityChangedSchema,
        { sku: event.sku, availableQuantity: event.available, inStock: event.available > 0 },
        { topic: INVENTORY_EVENTS_TOPIC, key: event.sku, occurredAt: event.at },
        scope,
      );
  }
};

function releaseReasonOf(r: Reservation): InventoryReleaseReason {
  if (r.status === "expired") return InventoryReleaseReason.EXPIRED;
  switch (r.releaseReason) {
    case "order_cancelled":
      return InventoryReleaseReason.ORDER_CANCELLED;
    case "payment_failed":
      return InventoryReleaseReason.PAYMENT_FAILED;
    case "saga_timed_out":
      return InventoryReleaseReason.SAGA_TIMED_OUT;
    default:
      return InventoryReleaseReason.UNSPECIFIED;
  }
}
