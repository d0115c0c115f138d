import type { EventMapper } from "../../core/kit/event-mapper.ts";
import type { Money } from "../../core/kit/money.ts";
import type { CancellationReason, Order } from "../../core/orders/order.ts";
import type { OrderEvent } from "../../core/orders/order-events.ts";
import { encodeEvent } from "../../adapters/protobuf/integration-event-encoding.ts";
import {
  OrderCancellationReason,
  OrderCancelledSchema,
  OrderConfirmedSchema,
  OrderCreatedSchema,
} from "../../gen/shop/events/v1/order_events_pb.ts";
import { ORDER_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { ORDER_EVENTS_TOPIC };

const REASONS: Record<CancellationReason, OrderCancellationReason> = {
  out_of_stock: OrderCancellationReason.OUT_OF_STOCK,
  payment_declined: OrderCancellationReason.PAYMENT_DECLINED,
  customer_requested: OrderCancellationReason.CUSTOMER_REQUESTED,
  admin_requested: OrderCancellationReason.ADMIN_REQUESTED,
  timed_out: OrderCancellationReason.TIMED_OUT,
};

export const moneyToProto = (m: Money) => ({ amountMinor: BigInt(m.amountMinor), currencyCode: m.currency });

export function addressToProto(order: Order) {
  const a = order.shippingAddress;
  return { ...a, addressLines: [...a.addressLines] };
}

function linesOf(order: Order) {
  return order.lines.map((l) => ({
    sku: l.sku,
    productId: l.productId,
    productName: l.productName,
    quantity: l.quantity,
    unitPrice: moneyToProto(l.unitPrice),
    lineTotal: moneyToProto(l.lineTotal),
  }));
}

/** Order events are keyed by order id (inventory, cart, shipping and notifications read them in order per order). */
export const orderEventMapper: EventMapper<OrderEvent> = (event, ctx) => {
  const scope = { tenantId: ctx.tenantId, correlationId: ctx.correlationId };
  const order = event.order;
  const address = { topic: ORDER_EVENTS_TOPIC, key: order.id, occurredAt: order.updatedAt };
  switch (event.type) {
    case "OrderCreated":
      return encodeEvent(
        OrderCreatedSchema,
        {
          orderId: order.id,
          userId: order.userId,
          cartId: order.cartId,
          cartVersion: BigInt(order.cartVersion),
          lines: linesOf(order),
          promotionCodes: [...order.promotionCodes],
          total: moneyToProto(order.totals.total),
          shippingAddress: addressToProto(order),
        },
        address,
        scope,
      );
    case "OrderConfirmed":
      return encodeEvent(
        OrderConfirmedSchema,
        {
          orderId: order.id,
          userId: order.userId,
          paymentId: order.paymentId ?? "",
          lines: linesOf(order),
          total: moneyToProto(order.totals.total),
          shippingAddress: addressToProto(order),
        },
        address,
        scope,
      );
    case "OrderCancelled":
      return encodeEvent(
        OrderCancelledSchema,
        {
          orderId: order.id,
          userId: order.userId,
          reason: order.cancellationReason ? REASONS[order.cancellationReason] : OrderCancellationReason.UNSPECIFIED,
          refundDue: event.refundDue,
          total: moneyToProto(order.totals.total),
        },
        address,
        scope,
      );
  }
};
