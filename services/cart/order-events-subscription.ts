import type { RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { CartDeps } from "../../core/cart/cart-deps.ts";
import { clearOrderedCart, giveBackRedemptions, recordPlacedOrder } from "../../core/cart/order-events.ts";
import { OrderCancelledSchema, OrderConfirmedSchema, OrderCreatedSchema } from "../../gen/shop/events/v1/order_events_pb.ts";
import { type EventSubscriberDeps, onEvent, subscribeByEventType } from "../runtime/typed-event-subscription.ts";
import { ORDER_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { ORDER_EVENTS_TOPIC };

export const CART_CONSUMER_GROUP = "cart";

/**
 * Cart's side of the checkout saga: OrderCreated counts the promotion redemptions (and keeps
 * which cart version the order came from), OrderConfirmed clears that cart if it is still at that
 * version, OrderCancelled gives the redemptions back. Deliveries are deduplicated by event id
 * and every step is idempotent by order id as well.
 */
export function subscribeCartToOrderEvents(
  deps: EventSubscriberDeps & { readonly cart: CartDeps },
): Promise<RunningSubscription> {
  return subscribeByEventType(deps, {
    group: CART_CONSUMER_GROUP,
    topic: ORDER_EVENTS_TOPIC,
    subject: "order event",
    handlers: [
      onEvent(OrderCreatedSchema, async (order, ctx) => {
        const recorded = await recordPlacedOrder(deps.cart, ctx, {
          orderId: order.orderId,
          userId: order.userId,
          cartId: order.cartId,
          cartVersion: Number(order.cartVersion),
          promotionCodes: order.promotionCodes,
        });
        deps.logger.info({ orderId: order.orderId, recorded, codes: order.promotionCodes.length }, "order redemptions counted");
      }),
      onEvent(OrderConfirmedSchema, async ({ orderId }, ctx) => {
        const outcome = await clearOrderedCart(deps.cart, ctx, orderId);
        deps.logger.info({ orderId, outcome }, "ordered cart handled");
      }),
      onEvent(OrderCancelledSchema, async ({ orderId }, ctx) => {
        const givenBack = await giveBackRedemptions(deps.cart, ctx, orderId);
        deps.logger.info({ orderId, givenBack }, "order redemptions given back");
      }),
    ],
  });
}
