import { describe, expect, it } from "vitest";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { encodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import {
  InventoryCommittedSchema,
  InventoryRejectedSchema,
  InventoryReleaseReason,
  InventoryReleasedSchema,
  InventoryReservedSchema,
  StockLowSchema,
} from "../../../gen/shop/events/v1/inventory_events_pb.ts";
import {
  PaymentFailedSchema,
  PaymentRefundedSchema,
  PaymentSucceededSchema,
} from "../../../gen/shop/events/v1/payment_events_pb.ts";
import { OrderDeliveredSchema, OrderShippedSchema } from "../../../gen/shop/events/v1/shipping_events_pb.ts";
import { orderToProto } from "../../../services/orders/orders-proto-mapping.ts";
import { sagaEventOf } from "../../../services/orders/saga-subscription.ts";
import { orderIn } from "./support/order-builders.ts";

const at = { topic: "t", key: "o1", occurredAt: new Date(0) };
const scope = { tenantId: parseTenantId("acme"), correlationId: "c" };
const ev = (e: IntegrationEvent) => sagaEventOf(e);

describe("what the saga reads from other contexts' events", () => {
  it("maps reservation answers, with the short lines in the detail", () => {
    expect(ev(encodeEvent(InventoryReservedSchema, { orderId: "o1", reservationId: "r1" }, at, scope))).toMatchObject({
      orderId: "o1",
      event: { type: "InventoryReserved" },
    });
    const rejected = encodeEvent(
      InventoryRejectedSchema,
      { orderId: "o1", shortLines: [{ sku: "SKU-1", requestedQuantity: 5, availableQuantity: 1 }] },
      at,
      scope,
    );
    expect(ev(rejected)).toEqual({ orderId: "o1", event: { type: "InventoryRejected", detail: "SKU-1 short by 4" } });
    const expired = encodeEvent(InventoryReleasedSchema, { orderId: "o1", reason: InventoryReleaseReason.EXPIRED }, at, scope);
    expect(ev(expired)).toEqual({ orderId: "o1", event: { type: "InventoryReleased", detail: "hold expired" } });
  });

  it("maps payment outcomes; a partial refund is not the cancellation's refund", () => {
    expect(ev(encodeEvent(PaymentSucceededSchema, { orderId: "o1", paymentId: "p1" }, at, scope))?.event).toEqual({
      type: "PaymentSucceeded",
      paymentId: "p1",
    });
    expect(
      ev(encodeEvent(PaymentFailedSchema, { orderId: "o1", paymentId: "p1", failureCode: "insufficient_funds" }, at, scope))
        ?.event,
    ).toEqual({ type: "PaymentFailed", paymentId: "p1", detail: "insufficient_funds" });
    expect(ev(encodeEvent(PaymentRefundedSchema, { orderId: "o1", fullyRefunded: false }, at, scope))).toBeUndefined();
    expect(
      ev(encodeEvent(PaymentRefundedSchema, { orderId: "o1", paymentId: "p1", fullyRefunded: true }, at, scope))?.event,
    ).toMatchObject({
      type: "Refunded",
    });
  });

  it("maps shipment progress and skips what means nothing to the saga", () => {
    expect(
      ev(encodeEvent(OrderShippedSchema, { orderId: "o1", shipmentId: "s1", carrier: "dhl", trackingNumber: "T1" }, at, scope))
        ?.event,
    ).toEqual({ type: "Shipped", shipmentId: "s1", detail: "dhl T1" });
    expect(ev(encodeEvent(OrderDeliveredSchema, { orderId: "o1", shipmentId: "s1" }, at, scope))?.event).toEqual({
      type: "Delivered",
      shipmentId: "s1",
    });
    expect(ev(encodeEvent(StockLowSchema, { sku: "SKU-1" }, at, scope))).toBeUndefined();
    expect(ev(encodeEvent(InventoryCommittedSchema, { orderId: "o1" }, at, scope))).toBeUndefined();
  });
});

describe("what an order shows its customer", () => {
  it("never the payment token or the idempotency key", () => {
    const shown = JSON.stringify(
      orderToProto(orderIn("confirmed", { paymentMethodToken: "tok_secret_1", idempotencyKey: "key-secret-1" })),
      (_k, v) => (typeof v === "bigint" ? String(v) : v),
    );
    expect(shown).not.toContain("tok_secret_1");
    expect(shown).not.toContain("key-secret-1");
  });
});
