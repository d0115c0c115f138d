import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { invalidField } from "../../core/kit/domain-error.ts";
import type { Money } from "../../core/kit/money.ts";
import {
  type CancellationReason,
  itemCount,
  type Order,
  type OrderStatus,
  statusOf,
  type TimelineEntry,
  type TimelineStep,
} from "../../core/orders/order.ts";
import {
  CancellationReason as ProtoCancellationReason,
  OrderStatus as ProtoOrderStatus,
  TimelineStep as ProtoTimelineStep,
} from "../../gen/shop/orders/v1/orders_pb.ts";
import type { OrderSchema, OrderSummarySchema } from "../../gen/shop/orders/v1/orders_pb.ts";

const STATUSES: Record<OrderStatus, ProtoOrderStatus> = {
  pending: ProtoOrderStatus.PENDING,
  confirmed: ProtoOrderStatus.CONFIRMED,
  shipped: ProtoOrderStatus.SHIPPED,
  delivered: ProtoOrderStatus.DELIVERED,
  cancelling: ProtoOrderStatus.CANCELLING,
  cancelled: ProtoOrderStatus.CANCELLED,
};
const REASONS: Record<CancellationReason, ProtoCancellationReason> = {
  out_of_stock: ProtoCancellationReason.OUT_OF_STOCK,
  payment_declined: ProtoCancellationReason.PAYMENT_DECLINED,
  customer_requested: ProtoCancellationReason.CUSTOMER_REQUESTED,
  admin_requested: ProtoCancellationReason.ADMIN_REQUESTED,
  timed_out: ProtoCancellationReason.TIMED_OUT,
};
const STEPS: Record<TimelineStep, ProtoTimelineStep> = {
  placed: ProtoTimelineStep.PLACED,
  stock_reserved: ProtoTimelineStep.STOCK_RESERVED,
  stock_rejected: ProtoTimelineStep.STOCK_REJECTED,
  payment_requested: ProtoTimelineStep.PAYMENT_REQUESTED,
  payment_succeeded: ProtoTimelineStep.PAYMENT_SUCCEEDED,
  payment_failed: ProtoTimelineStep.PAYMENT_FAILED,
  confirmed: ProtoTimelineStep.CONFIRMED,
  cancellation_requested: ProtoTimelineStep.CANCELLATION_REQUESTED,
  stock_released: ProtoTimelineStep.STOCK_RELEASED,
  refund_requested: ProtoTimelineStep.REFUND_REQUESTED,
  refunded: ProtoTimelineStep.REFUNDED,
  cancelled: ProtoTimelineStep.CANCELLED,
  timed_out: ProtoTimelineStep.TIMED_OUT,
  shipped: ProtoTimelineStep.SHIPPED,
  delivered: ProtoTimelineStep.DELIVERED,
};

export function statusFromProto(value: ProtoOrderStatus): OrderStatus {
  const found = (Object.entries(STATUSES) as [OrderStatus, ProtoOrderStatus][]).find(([, v]) => v === value);
  if (!found) throw invalidField("statuses", "is not a known status");
  return found[0];
}

const money = (m: Money) => ({ amountMinor: BigInt(m.amountMinor), currencyCode: m.currency });

/** An order as the customer sees it: never the payment token or the idempotency key. */
export function orderToProto(order: Order, timeline: readonly TimelineEntry[] = []): MessageInitShape<typeof OrderSchema> {
  return {
    orderId: order.id,
    userId: order.userId,
    status: STATUSES[statusOf(order.state)],
    cancellationReason: order.cancellationReason ? REASONS[order.cancellationReason] : ProtoCancellationReason.UNSPECIFIED,
    lines: order.lines.map((l) => ({
      sku: l.sku,
      productId: l.productId,
      productName: l.productName,
      quantity: l.quantity,
      unitPrice: money(l.unitPrice),
      lineSubtotal: money(l.lineSubtotal),
      lineDiscount: money(l.lineDiscount),
      lineTax: money(l.lineTax),
      lineTotal: money(l.lineTotal),
    })),
    promotionCodes: [...order.promotionCodes],
    totals: {
      subtotal: money(order.totals.subtotal),
      discountTotal: money(order.totals.discountTotal),
      taxTotal: money(order.totals.taxTotal),
      total: money(order.totals.total),
    },
    shippingAddress: { ...order.shippingAddress, addressLines: [...order.shippingAddress.addressLines] },
    cartId: order.cartId,
    cartVersion: BigInt(order.cartVersion),
    paymentId: order.paymentId ?? "",
    shipmentId: order.shipmentId ?? "",
    timeline: timeline.map((e) => ({ step: STEPS[e.step], occurTime: timestampFromDate(e.at), detail: e.detail })),
    placeTime: timestampFromDate(order.placedAt),
    updateTime: timestampFromDate(order.updatedAt),
  };
}

export function summaryToProto(order: Order): MessageInitShape<typeof OrderSummarySchema> {
  return {
    orderId: order.id,
    userId: order.userId,
    status: STATUSES[statusOf(order.state)],
    total: money(order.totals.total),
    itemCount: itemCount(order),
    placeTime: timestampFromDate(order.placedAt),
    updateTime: timestampFromDate(order.updatedAt),
  };
}
