import { fromBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { IntegrationEvent } from "../../core/kit/integration-event.ts";
import type { ProcessedEvents } from "../../core/kit/processed-events.ts";
import type { OrderDeps } from "../../core/orders/order-deps.ts";
import type { SagaEvent } from "../../core/orders/order-saga.ts";
import { applySagaEvent } from "../../core/orders/order-saga-steps.ts";
import { withLogFields } from "../../adapters/observability/log-context.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import {
  InventoryRejectedSchema,
  InventoryReleaseReason,
  InventoryReleasedSchema,
  InventoryReservedSchema,
} from "../../gen/shop/events/v1/inventory_events_pb.ts";
import {
  PaymentFailedSchema,
  PaymentRefundedSchema,
  PaymentSucceededSchema,
} from "../../gen/shop/events/v1/payment_events_pb.ts";
import { OrderDeliveredSchema, OrderShippedSchema, ShipmentCreatedSchema } from "../../gen/shop/events/v1/shipping_events_pb.ts";
import { INVENTORY_EVENTS_TOPIC, PAYMENT_EVENTS_TOPIC, SHIPPING_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { INVENTORY_EVENTS_TOPIC, PAYMENT_EVENTS_TOPIC, SHIPPING_EVENTS_TOPIC };

export const ORDERS_CONSUMER_GROUP = "orders";

/**
 * The saga's ears: reservation answers from inventory, payment outcomes, shipment progress.
 * Deliveries are deduplicated by event id (processed events), and every transition is guarded
 * by the order's state, so a redelivery or a late event changes nothing. Events of other
 * types on these topics (stock signals, refunds of orders we do not have) are skipped.
 */
export function subscribeToSagaEvents(deps: {
  readonly consumer: EventConsumer;
  readonly processedEvents: ProcessedEvents;
  readonly orders: OrderDeps;
  readonly logger: Logger;
  /** Tests use topics and a group of their own; the defaults are the three topics and `orders`. */
  readonly topics?: readonly string[];
  readonly group?: string;
}): Promise<RunningSubscription> {
  return deps.consumer.subscribe({
    group: deps.group ?? ORDERS_CONSUMER_GROUP,
    topics: deps.topics ?? [INVENTORY_EVENTS_TOPIC, PAYMENT_EVENTS_TOPIC, SHIPPING_EVENTS_TOPIC],
    processedEvents: deps.processedEvents,
    handler: (event, ctx) =>
      withLogFields({ tenant: ctx.tenantId, correlationId: ctx.correlationId, event: event.type }, async () => {
        const decoded = sagaEventOf(event);
        if (!decoded) return;
        const order = await applySagaEvent(deps.orders, ctx, decoded.orderId, decoded.event);
        if (order) deps.logger.debug({ orderId: order.id, state: order.state }, "saga event applied");
      }),
    onOutcome: (outcome) => {
      if (outcome.kind === "retrying" || outcome.kind === "dead-lettered") {
        deps.logger.warn({ outcome: outcome.kind, event: outcome.event?.id }, "saga event not handled");
      }
    },
  });
}

/** The order and the saga event an integration event means, or undefined when it means nothing to the saga. */
export function sagaEventOf(event: IntegrationEvent): { orderId: string; event: SagaEvent } | undefined {
  switch (event.type) {
    case InventoryReservedSchema.typeName: {
      const e = fromBinary(InventoryReservedSchema, event.payload);
      const until = e.expireTime ? ` until ${timestampDate(e.expireTime).toISOString()}` : "";
      return { orderId: e.orderId, event: { type: "InventoryReserved", detail: `reservation ${e.reservationId}${until}` } };
    }
    case InventoryRejectedSchema.typeName: {
      const e = fromBinary(InventoryRejectedSchema, event.payload);
      const detail = e.shortLines.map((l) => `${l.sku} short by ${l.requestedQuantity - l.availableQuantity}`).join(", ");
      return { orderId: e.orderId, event: { type: "InventoryRejected", detail } };
    }
    case InventoryReleasedSchema.typeName: {
      const e = fromBinary(InventoryReleasedSchema, event.payload);
      const detail = e.reason === InventoryReleaseReason.EXPIRED ? "hold expired" : "";
      return { orderId: e.orderId, event: { type: "InventoryReleased", detail } };
    }
    case PaymentSucceededSchema.typeName: {
      const e = fromBinary(PaymentSucceededSchema, event.payload);
      return { orderId: e.orderId, event: { type: "PaymentSucceeded", paymentId: e.paymentId } };
    }
    case PaymentFailedSchema.typeName: {
      const e = fromBinary(PaymentFailedSchema, event.payload);
      return {
        orderId: e.orderId,
        event: { type: "PaymentFailed", paymentId: e.paymentId, detail: e.failureCode || "declined" },
      };
    }
    case PaymentRefundedSchema.typeName: {
      const e = fromBinary(PaymentRefundedSchema, event.payload);
      if (!e.fullyRefunded) return undefined;
      return { orderId: e.orderId, event: { type: "Refunded", paymentId: e.paymentId, detail: `refund ${e.refundId}` } };
    }
    case ShipmentCreatedSchema.typeName: {
      const e = fromBinary(ShipmentCreatedSchema, event.payload);
      return { orderId: e.orderId, event: { type: "ShipmentCreated", shipmentId: e.shipmentId } };
    }
    case OrderShippedSchema.typeName: {
      const e = fromBinary(OrderShippedSchema, event.payload);
      return {
        orderId: e.orderId,
        event: { type: "Shipped", shipmentId: e.shipmentId, detail: `${e.carrier} ${e.trackingNumber}`.trim() },
      };
    }
    case OrderDeliveredSchema.typeName: {
      const e = fromBinary(OrderDeliveredSchema, event.payload);
      return { orderId: e.orderId, event: { type: "Delivered", shipmentId: e.shipmentId } };
    }
    default:
      return undefined;
  }
}
