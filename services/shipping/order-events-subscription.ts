import { fromBinary } from "@bufbuild/protobuf";
import type { EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { ProcessedEvents } from "../../core/kit/processed-events.ts";
import type { ShippingDeps } from "../../core/shipping/shipping-deps.ts";
import { cancelShipmentForOrder, createShipmentForOrder } from "../../core/shipping/shipments.ts";
import { withLogFields } from "../../adapters/observability/log-context.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import { OrderCancelledSchema, OrderConfirmedSchema } from "../../gen/shop/events/v1/order_events_pb.ts";
import { addressFromProto } from "./shipping-proto-mapping.ts";

export const ORDER_EVENTS_TOPIC = "order-events";
export const SHIPPING_CONSUMER_GROUP = "shipping";

/**
 * Shipping's side of the order saga: OrderConfirmed creates the shipment with the carrier
 * (ShipmentCreated goes out through the outbox), OrderCancelled cancels it while the carrier has
 * not picked it up. Deliveries are deduplicated by event id, and both use cases are idempotent by
 * order id too (unique key on tenant + order), so a redelivery after a crash between the effect
 * and the mark creates nothing twice. A carrier outage fails the attempt: the consumer retries
 * with backoff, then parks the event on `order-events.dlq`.
 */
export function subscribeToOrderEvents(deps: {
  readonly consumer: EventConsumer;
  readonly processedEvents: ProcessedEvents;
  readonly shipping: ShippingDeps;
  readonly logger: Logger;
  readonly topic?: string;
  readonly group?: string;
}): Promise<RunningSubscription> {
  return deps.consumer.subscribe({
    group: deps.group ?? SHIPPING_CONSUMER_GROUP,
    topics: [deps.topic ?? ORDER_EVENTS_TOPIC],
    processedEvents: deps.processedEvents,
    handler: (event, ctx) =>
      withLogFields({ tenant: ctx.tenantId, correlationId: ctx.correlationId, event: event.type }, async () => {
        switch (event.type) {
          case OrderConfirmedSchema.typeName: {
            const order = fromBinary(OrderConfirmedSchema, event.payload);
            const shipment = await createShipmentForOrder(deps.shipping, ctx, {
              orderId: order.orderId,
              userId: order.userId,
              destination: addressFromProto(order.shippingAddress),
              lines: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
            });
            deps.logger.info({ orderId: order.orderId, shipmentId: shipment.id }, "order shipment created");
            return;
          }
          case OrderCancelledSchema.typeName: {
            const { orderId } = fromBinary(OrderCancelledSchema, event.payload);
            const { shipment, cancelled } = await cancelShipmentForOrder(deps.shipping, ctx, orderId);
            if (shipment && !cancelled && shipment.status !== "cancelled") {
              deps.logger.warn(
                { orderId, shipmentId: shipment.id, status: shipment.status },
                "order cancelled after pickup: the shipment goes on",
              );
            }
            return;
          }
          default:
            return;
        }
      }),
    onOutcome: (outcome) => {
      if (outcome.kind === "retrying" || outcome.kind === "dead-lettered") {
        deps.logger.warn({ outcome: outcome.kind, event: outcome.event?.id }, "order event not handled");
      }
    },
  });
}
