import { Code, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getStock, setStock } from "../../../core/inventory/stock-admin.ts";
import {
  CancellationReason,
  type Order,
  OrderService,
  OrderStatus,
  TimelineStep,
} from "../../../gen/shop/orders/v1/orders_pb.ts";
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.ts";
import { PaymentService, PaymentStatus } from "../../../gen/shop/payment/v1/payment_pb.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { address, ctxOf } from "../../unit/orders/support/order-builders.ts";
import { type OrdersServer, startOrdersServer } from "./support/orders-server.ts";

let server: OrdersServer;
let alice: { authorization: string };
const stockAdmin = ctxOf("acme", "stock-admin", ["tenant_admin"]);

beforeAll(async () => {
  server = await startOrdersServer("payment-module");
  alice = { authorization: await server.identity.bearer("acme", "alice", ["customer"]) };
});
afterAll(async () => {
  await server?.stop();
  // Payment tokens never reach a log line of orders, cart, inventory or payment.
  expect(server?.logs.filter((line) => /tok_success|tok_decline/.test(line)) ?? []).toEqual([]);
});

/**
 * The cart of a new customer at acme, through the real cart module: 2 of a fresh SKU (12.00
 * EUR, `onHand` in stock), validated for checkout.
 */
async function checkout(
  onHand: number,
): Promise<{ cartId: string; cartVersion: bigint; sku: string; who: { authorization: string } }> {
  const who = { authorization: await server.identity.bearer("acme", uniqueName("shopper"), ["customer"]) };
  const sku = uniqueName("PAY").toUpperCase().replaceAll("_", "-").slice(0, 40);
  await setStock(server.inventory.useCases, stockAdmin, { sku, locationId: "main", onHand, reason: "received" });
  server.prices.set("acme", {
    sku,
    productId: `p-${sku}`,
    productName: "Widget",
    imageUrl: "",
    unitPriceMinor: 1200,
    currency: "EUR",
    taxClass: "standard",
    purchasable: true,
  });
  const cart = createClient(CartService, server.transport("grpc"));
  await cart.addItem({ sku, quantity: 2, idempotencyKey: uniqueName("add") }, { headers: who });
  const { snapshot, readyForCheckout } = await cart.validateForCheckout({ shippingAddress: address }, { headers: who });
  expect(readyForCheckout).toBe(true);
  return { cartId: snapshot?.cartId as string, cartVersion: snapshot?.cartVersion as bigint, sku, who };
}

/**
 * The journey through the real cart (GetCheckoutSnapshot with the customer's token forwarded),
 * inventory and payment modules (sandbox provider in memory), called over gRPC.
 */
describe("checkout through the cart, inventory and payment modules", () => {
  const orders = () => createClient(OrderService, server.transport("grpc"));
  const payments = () => createClient(PaymentService, server.transport("grpc"));

  let shopper: { authorization: string };

  async function place(token: string): Promise<{ orderId: string; sku: string }> {
    const { cartId, cartVersion, sku, who } = await checkout(5);
    shopper = who;
    const placed = await orders().placeOrder(
      { cartId, cartVersion, paymentMethodToken: token, idempotencyKey: uniqueName("key") },
      { headers: who },
    );
    expect(placed.order?.lines.map((l) => [l.sku, l.quantity])).toEqual([[sku, 2]]);
    return { orderId: placed.order?.orderId as string, sku };
  }

  async function until(orderId: string, status: OrderStatus, ms = 15_000): Promise<Order> {
    const deadline = Date.now() + ms;
    for (;;) {
      const { order } = await orders().getOrder({ orderId }, { headers: shopper });
      if (order?.status === status) return order;
      if (Date.now() > deadline) throw new Error(`order ${orderId} is in status ${order?.status}, not ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const paymentOf = async (orderId: string) =>
    (await payments().getPayment({ lookup: { case: "orderId", value: orderId } }, { headers: { "x-tenant-id": "acme" } }))
      .payment;

  it("a stale cart version is FAILED_PRECONDITION (CART.VERSION_STALE, from the cart)", async () => {
    const { cartId, cartVersion, who } = await checkout(5);
    const stale = orders().placeOrder(
      { cartId, cartVersion: cartVersion - 1n, paymentMethodToken: "tok_success", idempotencyKey: uniqueName("key") },
      { headers: who },
    );
    await expect(stale).rejects.toMatchObject({ code: Code.FailedPrecondition });
    // Someone else's cart: the cart refuses it (the token is forwarded) and no order exists.
    const notHis = orders().placeOrder(
      { cartId, cartVersion, paymentMethodToken: "tok_success", idempotencyKey: uniqueName("key") },
      { headers: alice },
    );
    await expect(notHis).rejects.toMatchObject({ code: expect.toBeOneOf([Code.PermissionDenied, Code.NotFound]) });
    expect((await orders().listOrders({}, { headers: alice })).orders).toEqual([]);
  });

  it("tok_success: CONFIRMED, charged once, the payment id on the order; the cart is emptied", async () => {
    const { orderId } = await place("tok_success");
    const order = await until(orderId, OrderStatus.CONFIRMED);
    const payment = await paymentOf(orderId);
    expect(payment?.status).toBe(PaymentStatus.SUCCEEDED);
    expect(order.paymentId).toBe(payment?.paymentId);
    expect(server.provider.chargesFor("acme", orderId)).toBe(1);
    expect(order.totals?.total?.amountMinor).toBe(2400n);
    const cart = createClient(CartService, server.transport("grpc"));
    const deadline = Date.now() + 5_000;
    while ((await cart.getCart({}, { headers: shopper })).cart?.lines.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await cart.getCart({}, { headers: shopper })).cart?.lines).toEqual([]);
  });

  it("tok_decline: CANCELLED (PAYMENT_DECLINED), no charge, stock back", async () => {
    const { orderId, sku } = await place("tok_decline");
    const order = await until(orderId, OrderStatus.CANCELLED);
    expect(order.cancellationReason).toBe(CancellationReason.PAYMENT_DECLINED);
    expect(order.timeline.find((e) => e.step === TimelineStep.PAYMENT_FAILED)?.detail).toContain("insufficient_funds");
    expect(server.provider.chargesFor("acme", orderId)).toBe(0);
    expect((await getStock(server.inventory.useCases, stockAdmin, sku)).summary.available).toBe(5);
  });

  it("tok_success_after_timeout: PROCESSING, then resolved by payment: CONFIRMED with exactly one charge", async () => {
    const { orderId } = await place("tok_success_after_timeout");
    await until(orderId, OrderStatus.CONFIRMED);
    expect(server.provider.chargesFor("acme", orderId)).toBe(1);
    expect((await paymentOf(orderId))?.status).toBe(PaymentStatus.SUCCEEDED);
  });

  it("cancel a confirmed order: refunded through payment (REFUNDED), CANCELLED, the sold stock back in inventory", async () => {
    const { orderId, sku } = await place("tok_success");
    await until(orderId, OrderStatus.CONFIRMED);
    const onHand = async () => (await getStock(server.inventory.useCases, stockAdmin, sku)).summary.onHand;
    const sold = Date.now() + 5_000;
    while ((await onHand()) !== 3 && Date.now() < sold) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await getStock(server.inventory.useCases, stockAdmin, sku)).summary).toMatchObject({ onHand: 3, reserved: 0 });
    await orders().cancelOrder({ orderId, note: "" }, { headers: shopper });
    const order = await until(orderId, OrderStatus.CANCELLED);
    expect(order.timeline.map((e) => e.step)).toContain(TimelineStep.REFUNDED);
    expect((await paymentOf(orderId))?.status).toBe(PaymentStatus.REFUNDED);
    expect(server.provider.chargesFor("acme", orderId)).toBe(1);
    // Inventory restocks the committed sale on OrderCancelled (it used to dead-letter the event).
    const back = Date.now() + 5_000;
    while ((await onHand()) !== 5 && Date.now() < back) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await getStock(server.inventory.useCases, stockAdmin, sku)).summary).toMatchObject({ onHand: 5, reserved: 0 });
    expect(server.bus.deadLetters("order-events").filter((d) => d.event.key === orderId)).toEqual([]);
  });
});
