import { fromBinary } from "@bufbuild/protobuf";
import type { EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { ProcessedEvents } from "../../core/kit/processed-events.ts";
import type { CartDeps } from "../../core/cart/cart-deps.ts";
import { clearOrderedCart, giveBackRedemptions, recordPlacedOrder } from "../../core/cart/order-events.ts";
import { withLogFields } from "../../adapters/observability/log-context.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import { OrderCancelledSchema, OrderConfirmedSchema, OrderCreatedSchema } from "../../gen/shop/events/v1/order_events_pb.ts";

export const ORDER_EVENTS_TOPIC = "order-events";
export const CART_CONSUMER_GROUP = "cart";

/**
 * Cart's side of the checkout saga: OrderCreated counts the promotion redemptions (and keeps
 * which cart version the order came from), OrderConfirmed clears that cart if it is still at that
 * version, OrderCancelled gives the redemptions back. Deliveries are deduplicated by event id
 * and every step is idempotent by order id as well.
 */
export function subscribeCartToOrderEvents(deps: {
  readonly consumer: EventConsumer;
  readonly processedEvents: ProcessedEvents;
  readonly cart: CartDeps;
  readonly logger: Logger;
  /** Tests use a topic and group of their own; the defaults otherwise. */
  readonly topic?: string;
  readonly group?: string;
}): Promise<RunningSubscription> {
  return deps.consumer.subscribe({
    group: deps.group ?? CART_CONSUMER_GROUP,
    topics: [deps.topic ?? ORDER_EVENTS_TOPIC],
    processedEvents: deps.processedEvents,
    handler: (event, ctx) =>
      withLogFields({ tenant: ctx.tenantId, correlationId: ctx.correlationId, event: event.type }, async () => {
        switch (event.type) {
          case OrderCreatedSchema.typeName: {
            const order = fromBinary(OrderCreatedSchema, event.payload);
            const recorded = await recordPlacedOrder(deps.cart, ctx, {
              orderId: order.orderId,
              userId: order.userId,
              cartId: order.cartId,
              cartVersion: Number(order.cartVersion),
              promotionCodes: order.promotionCodes,
            });
            deps.logger.info(
              { orderId: order.orderId, recorded, codes: order.promotionCodes.length },
              "order redemptions counted",
            );
            return;
          }
          case OrderConfirmedSchema.typeName: {
            const { orderId } = fromBinary(OrderConfirmedSchema, event.payload);
            const outcome = await clearOrderedCart(deps.cart, ctx, orderId);
            deps.logger.info({ orderId, outcome }, "ordered cart handled");
            return;
          }
          case OrderCancelledSchema.typeName: {
            const { orderId } = fromBinary(OrderCancelledSchema, event.payload);
            const givenBack = await giveBackRedemptions(deps.cart, ctx, orderId);
            deps.logger.info({ orderId, givenBack }, "order redemptions given back");
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
