import type { RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { ShippingDeps } from "../../core/shipping/shipping-deps.ts";
import { cancelShipmentForOrder, createShipmentForOrder } from "../../core/shipping/shipments.ts";
import { OrderCancelledSchema, OrderConfirmedSchema } from "../../gen/shop/events/v1/order_events_pb.ts";
import { type EventSubscriberDeps, onEvent, subscribeByEventType } from "../runtime/typed-event-subscription.ts";
import { addressFromProto } from "./shipping-proto-mapping.ts";
import { ORDER_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { ORDER_EVENTS_TOPIC };

export const SHIPPING_CONSUMER_GROUP = "shipping";

/**
 * Shipping's side of the order saga: OrderConfirmed creates the shipment with the carrier
 * (ShipmentCreated goes out through the outbox), OrderCancelled cancels it while the carrier has
 * not picked it up. Deliveries are deduplicated by event id, and both use cases are idempotent by
 * order id too (unique key on tenant + order), so a redelivery after a crash between the effect
 * and the mark creates nothing twice. A carrier outage fails the attempt: the consumer retries
 * with backoff, then parks the event on `order-events.dlq`.
 */
export function subscribeToOrderEvents(
  deps: EventSubscriberDeps & { readonly shipping: ShippingDeps },
): Promise<RunningSubscription> {
  return subscribeByEventType(deps, {
    group: SHIPPING_CONSUMER_GROUP,
    topic: ORDER_EVENTS_TOPIC,
    subject: "order event",
    handlers: [
      onEvent(OrderConfirmedSchema, async (order, ctx) => {
        const shipment = await createShipmentForOrder(deps.shipping, ctx, {
          orderId: order.orderId,
          userId: order.userId,
          destination: addressFromProto(order.shippingAddress),
          lines: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
        });
        deps.logger.info({ orderId: order.orderId, shipmentId: shipment.id }, "order shipment created");
      }),
      onEvent(OrderCancelledSchema, async ({ orderId }, ctx) => {
        const { shipment, cancelled } = await cancelShipmentForOrder(deps.shipping, ctx, orderId);
        if (shipment && !cancelled && shipment.status !== "cancelled") {
          deps.logger.warn(
            { orderId, shipmentId: shipment.id, status: shipment.status },
            "order cancelled after pickup: the shipment goes on",
          );
        }
      }),
    ],
  });
}
