import type { RunningSubscription } from "../../core/kit/event-consumer.ts";
import { isDomainError } from "../../core/kit/domain-error.ts";
import type { InventoryDeps } from "../../core/inventory/inventory-deps.ts";
import type { ReleaseReason } from "../../core/inventory/reservation.ts";
import { cancelOrderReservation, commitReservation, reserveStock } from "../../core/inventory/reservations.ts";
import {
  OrderCancellationReason,
  OrderCancelledSchema,
  OrderConfirmedSchema,
  OrderCreatedSchema,
} from "../../gen/shop/events/v1/order_events_pb.ts";
import { type EventSubscriberDeps, onEvent, subscribeByEventType } from "../runtime/typed-event-subscription.ts";
import { ORDER_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { ORDER_EVENTS_TOPIC };

export const INVENTORY_CONSUMER_GROUP = "inventory";

// Test-only crash point (tests/e2e/checkout-failures.test.ts): die like SIGKILL after the
// reservation committed and before the offset commit. Read once at start; never set outside that test.
const CRASH_AFTER_RESERVE = process.env.SHOPMESH_TEST_CRASH_AFTER_RESERVE === "1";

/**
 * The checkout saga's side in inventory: OrderCreated reserves (InventoryReserved or
 * InventoryRejected go out through the outbox), OrderConfirmed commits, OrderCancelled
 * releases a held reservation or restocks a committed one (cancelled after confirmation, before
 * shipment; InventoryReleased either way). Deliveries are deduplicated by event id, and every use case is idempotent by order
 * id as well, so a redelivery after a crash between the effect and the mark changes nothing.
 */
export function subscribeToOrderEvents(
  deps: EventSubscriberDeps & { readonly inventory: InventoryDeps },
): Promise<RunningSubscription> {
  return subscribeByEventType(deps, {
    group: INVENTORY_CONSUMER_GROUP,
    topic: ORDER_EVENTS_TOPIC,
    subject: "order event",
    handlers: [
      onEvent(OrderCreatedSchema, async (order, ctx) => {
        const reservation = await reserveStock(deps.inventory, ctx, {
          orderId: order.orderId,
          lines: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
        });
        deps.logger.info({ orderId: order.orderId, status: reservation.status }, "order reservation decided");
        if (CRASH_AFTER_RESERVE) process.kill(process.pid, "SIGKILL");
      }),
      onEvent(OrderConfirmedSchema, async ({ orderId }, ctx) => {
        await commitReservation(deps.inventory, ctx, orderId);
      }),
      onEvent(OrderCancelledSchema, async (cancelled, ctx) => {
        try {
          const reservation = await cancelOrderReservation(
            deps.inventory,
            ctx,
            cancelled.orderId,
            releaseReasonOf(cancelled.reason),
          );
          deps.logger.info({ orderId: cancelled.orderId, status: reservation.status }, "order cancellation applied");
        } catch (error) {
          // Cancelled before inventory ever saw the order: nothing is held, nothing to give back.
          if (isDomainError(error) && error.kind === "not_found") return;
          throw error;
        }
      }),
    ],
  });
}

function releaseReasonOf(reason: OrderCancellationReason): ReleaseReason {
  switch (reason) {
    case OrderCancellationReason.PAYMENT_DECLINED:
      return "payment_failed";
    case OrderCancellationReason.TIMED_OUT:
      return "saga_timed_out";
    default:
      return "order_cancelled";
  }
}
