import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { money } from "../../../core/kit/money.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { getStock, setStock } from "../../../core/inventory/stock-admin.ts";
import { ERROR_FIELD_HEADER } from "../../../adapters/rpc/error-mapping.ts";
import {
  CancellationReason,
  type Order,
  OrderService,
  OrderStatus,
  TimelineStep,
} from "../../../gen/shop/orders/v1/orders_pb.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { ctxOf, snapshotOf } from "../../unit/orders/support/order-builders.ts";
import { type OrdersServer, startOrdersServer } from "./support/orders-server.ts";

let server: OrdersServer;
const headers: Record<string, { authorization: string }> = {};
const stockAdmin = ctxOf("acme", "stock-admin", ["tenant_admin"]);

beforeAll(async () => {
  server = await startOrdersServer();
  const bearer = (tenant: string, user: string, roles: ("customer" | "tenant_admin")[]) =>
    server.identity.bearer(tenant, user, roles).then((authorization) => ({ authorization }));
  headers.alice = await bearer("acme", "alice", ["customer"]);
  headers.bob = await bearer("acme", "bob", ["customer"]);
  headers.admin = await bearer("acme", "boss", ["tenant_admin"]);
  headers.globexAlice = await bearer("globex", "alice", ["customer"]);
  headers.globexAdmin = await bearer("globex", "boss", ["tenant_admin"]);
});
afterAll(async () => {
  await server?.stop();
  // Payment tokens and card numbers never reach a log line (every test above sent some).
  const leaks = server?.logs.filter((line) => /tok_visa|tok_decline|4242424242424242/.test(line)) ?? [];
  expect(leaks).toEqual([]);
  expect(server?.logs.length).toBeGreaterThan(0);
});

async function failure(work: Promise<unknown>): Promise<{ code: Code | "ok"; field: string | null }> {
  try {
    await work;
    return { code: "ok", field: null };
  } catch (error) {
    const e = ConnectError.from(error);
    return { code: e.code, field: e.metadata.get(ERROR_FIELD_HEADER) };
  }
}

/** A cart of alice's at acme with `quantity` of a fresh SKU of which `onHand` are in stock. */
async function cartWithStock(onHand: number, quantity = 2): Promise<{ cartId: string; sku: string }> {
  const sku = uniqueName("SKU").toUpperCase().replaceAll("_", "-").slice(0, 40);
  const cartId = uniqueName("cart");
  if (onHand > 0) await setStock(server.inventory.useCases, stockAdmin, { sku, locationId: "main", onHand, reason: "received" });
  const base = snapshotOf(cartId, "alice");
  const line = { ...(base.lines[0] as (typeof base.lines)[number]), sku, quantity };
  server.snapshots.put("acme" as TenantId, {
    ...base,
    lines: [line],
    expiresAt: new Date(Date.now() + 10 * 60_000),
    totals: { ...base.totals, total: money(2400, "EUR") },
  });
  return { cartId, sku };
}

const available = async (sku: string) => (await getStock(server.inventory.useCases, stockAdmin, sku)).summary.available;

describe.each(["grpc", "connect"] as const)("OrderService over %s", (kind) => {
  const client = () => createClient(OrderService, server.transport(kind));

  async function settled(orderId: string, h = headers.alice as { authorization: string }, want?: OrderStatus): Promise<Order> {
    const until = Date.now() + 10_000;
    for (;;) {
      const { order } = await client().getOrder({ orderId }, { headers: h });
      if (!order) throw new Error("no order");
      const done = want
        ? order.status === want
        : order.status === OrderStatus.CONFIRMED || order.status === OrderStatus.CANCELLED;
      if (done) return order;
      if (Date.now() > until) throw new Error(`order ${orderId} still in status ${order.status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("PlaceOrder -> stock reserved -> charged -> CONFIRMED, with the timeline; stock committed", async () => {
    const { cartId, sku } = await cartWithStock(10);
    const placed = await client().placeOrder(
      { cartId, cartVersion: 3n, paymentMethodToken: "tok_visa", idempotencyKey: uniqueName("key") },
      { headers: headers.alice },
    );
    expect(placed.order?.status).toBe(OrderStatus.PENDING);
    expect(placed.order?.timeline).toEqual([]);
    const order = await settled(placed.order?.orderId as string);
    expect(order.status).toBe(OrderStatus.CONFIRMED);
    expect(order.paymentId).toBe(`pay-${order.orderId}`);
    expect(order.totals?.total?.amountMinor).toBe(2400n);
    expect(order.timeline.map((e) => e.step)).toEqual([
      TimelineStep.PLACED,
      TimelineStep.STOCK_RESERVED,
      TimelineStep.PAYMENT_REQUESTED,
      TimelineStep.PAYMENT_SUCCEEDED,
      TimelineStep.CONFIRMED,
    ]);
    // OrderConfirmed made inventory commit: 2 of 10 sold, nothing held.
    const until = Date.now() + 5_000;
    while ((await getStock(server.inventory.useCases, stockAdmin, sku)).summary.onHand !== 8 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await getStock(server.inventory.useCases, stockAdmin, sku)).summary).toMatchObject({ onHand: 8, reserved: 0 });
  });

  it("out of stock -> CANCELLED (OUT_OF_STOCK), no charge", async () => {
    const { cartId } = await cartWithStock(1, 5);
    const placed = await client().placeOrder(
      { cartId, cartVersion: 3n, paymentMethodToken: "tok_visa", idempotencyKey: uniqueName("key") },
      { headers: headers.alice },
    );
    const order = await settled(placed.order?.orderId as string);
    expect(order).toMatchObject({ status: OrderStatus.CANCELLED, cancellationReason: CancellationReason.OUT_OF_STOCK });
    expect(order.timeline.find((e) => e.step === TimelineStep.STOCK_REJECTED)?.detail).toContain("short by 4");
    expect(server.payments.payments.has(order.orderId)).toBe(false);
  });

  it("declined -> CANCELLED (PAYMENT_DECLINED) and the stock is back", async () => {
    const { cartId, sku } = await cartWithStock(5);
    const placed = await client().placeOrder(
      { cartId, cartVersion: 3n, paymentMethodToken: "tok_decline", idempotencyKey: uniqueName("key") },
      { headers: headers.alice },
    );
    const order = await settled(placed.order?.orderId as string, headers.alice, OrderStatus.CANCELLED);
    expect(order.cancellationReason).toBe(CancellationReason.PAYMENT_DECLINED);
    expect(order.timeline.map((e) => e.step)).toContain(TimelineStep.STOCK_RELEASED);
    expect(await available(sku)).toBe(5);
  });

  it("a replay returns the same order; the same key with another cart is INVALID_ARGUMENT", async () => {
    const { cartId } = await cartWithStock(10);
    const other = await cartWithStock(10);
    const key = uniqueName("key");
    const request = { cartId, cartVersion: 3n, paymentMethodToken: "tok_visa", idempotencyKey: key };
    const [a, b] = await Promise.all([
      client().placeOrder(request, { headers: headers.alice }),
      client().placeOrder(request, { headers: headers.alice }),
    ]);
    expect(a.order?.orderId).toBe(b.order?.orderId);
    expect(await failure(client().placeOrder({ ...request, cartId: other.cartId }, { headers: headers.alice }))).toEqual({
      code: Code.InvalidArgument,
      field: "idempotency_key",
    });
    await settled(a.order?.orderId as string);
  });

  it("a stale cart version is FAILED_PRECONDITION, another user's cart is refused", async () => {
    const { cartId } = await cartWithStock(10);
    const request = { cartId, cartVersion: 2n, paymentMethodToken: "tok_visa", idempotencyKey: uniqueName("key") };
    expect((await failure(client().placeOrder(request, { headers: headers.alice }))).code).toBe(Code.FailedPrecondition);
    expect((await failure(client().placeOrder({ ...request, cartVersion: 3n }, { headers: headers.bob }))).code).toBe(
      Code.PermissionDenied,
    );
  });

  it("bad input is INVALID_ARGUMENT naming the field; a card number is refused; no token is UNAUTHENTICATED", async () => {
    const good = { cartId: "cart-x", cartVersion: 3n, paymentMethodToken: "tok_visa", idempotencyKey: "key-00000001" };
    const h = { headers: headers.alice };
    expect(await failure(client().placeOrder({ ...good, paymentMethodToken: "4242424242424242" }, h))).toEqual({
      code: Code.InvalidArgument,
      field: "payment_method_token",
    });
    expect((await failure(client().placeOrder({ ...good, idempotencyKey: "short" }, h))).field).toBe("idempotency_key");
    expect((await failure(client().placeOrder({ ...good, cartId: "" }, h))).field).toBe("cart_id");
    expect((await failure(client().placeOrder({ ...good, cartVersion: 0n }, h))).field).toBe("cart_version");
    expect((await failure(client().getOrder({ orderId: "x".repeat(65) }, h))).code).toBe(Code.InvalidArgument);
    expect((await failure(client().cancelOrder({ orderId: "o", note: "n".repeat(501) }, h))).field).toBe("note");
    expect((await failure(client().listOrders({ page: { pageSize: 101 } }, h))).code).toBe(Code.InvalidArgument);
    expect((await failure(client().placeOrder(good, { headers: { "x-tenant-id": "acme" } }))).code).toBe(Code.Unauthenticated);
  });

  it("tenant isolation and ownership on every RPC", async () => {
    const { cartId } = await cartWithStock(10);
    const placed = await client().placeOrder(
      { cartId, cartVersion: 3n, paymentMethodToken: "tok_visa", idempotencyKey: uniqueName("key") },
      { headers: headers.alice },
    );
    const orderId = placed.order?.orderId as string;
    await settled(orderId);
    for (const who of ["bob", "globexAlice", "globexAdmin"]) {
      const h = { headers: headers[who] as { authorization: string } };
      expect((await failure(client().getOrder({ orderId }, h))).code, who).toBe(Code.NotFound);
      expect((await failure(client().cancelOrder({ orderId, note: "" }, h))).code, who).toBe(Code.NotFound);
      const listed = await client().listOrders({}, h);
      expect(
        listed.orders.map((o) => o.orderId),
        who,
      ).not.toContain(orderId);
    }
    // The same key in another tenant is another order; that tenant's snapshot store has no such cart.
    expect(
      (
        await failure(
          client().placeOrder(
            { cartId, cartVersion: 3n, paymentMethodToken: "tok_visa", idempotencyKey: uniqueName("key") },
            { headers: headers.globexAlice },
          ),
        )
      ).code,
    ).toBe(Code.NotFound);
    expect((await failure(client().listOrders({ userId: "alice" }, { headers: headers.bob }))).code).toBe(Code.PermissionDenied);
    const byAdmin = await client().listOrders({ userId: "alice", statuses: [OrderStatus.CONFIRMED] }, { headers: headers.admin });
    expect(byAdmin.orders.map((o) => o.orderId)).toContain(orderId);
    expect((await client().getOrder({ orderId }, { headers: headers.admin })).order?.orderId).toBe(orderId);
  });

  it("the customer cancels a confirmed order: refunded, CANCELLED; cancelling again answers it unchanged", async () => {
    const { cartId } = await cartWithStock(10);
    const placed = await client().placeOrder(
      { cartId, cartVersion: 3n, paymentMethodToken: "tok_visa", idempotencyKey: uniqueName("key") },
      { headers: headers.alice },
    );
    const orderId = placed.order?.orderId as string;
    await settled(orderId);
    const cancelling = await client().cancelOrder({ orderId, note: "too slow" }, { headers: headers.alice });
    expect([OrderStatus.CANCELLING, OrderStatus.CANCELLED]).toContain(cancelling.order?.status);
    const order = await settled(orderId, headers.alice, OrderStatus.CANCELLED);
    expect(order.cancellationReason).toBe(CancellationReason.CUSTOMER_REQUESTED);
    expect(order.timeline.map((e) => e.step).slice(-3)).toEqual([
      TimelineStep.REFUND_REQUESTED,
      TimelineStep.REFUNDED,
      TimelineStep.CANCELLED,
    ]);
    expect(server.payments.charged()).not.toContain(orderId);
    const again = await client().cancelOrder({ orderId, note: "" }, { headers: headers.alice });
    expect(again.order?.updateTime).toEqual(order.updateTime);
  });

  it("ListOrders pages newest first", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { cartId } = await cartWithStock(0);
      const placed = await client().placeOrder(
        { cartId, cartVersion: 3n, paymentMethodToken: "tok_visa", idempotencyKey: uniqueName("key") },
        { headers: headers.alice },
      );
      ids.push(placed.order?.orderId as string);
    }
    const first = await client().listOrders({ page: { pageSize: 2 } }, { headers: headers.alice });
    expect(first.orders.map((o) => o.orderId)).toEqual([ids[2], ids[1]]);
    expect(first.orders[0]?.itemCount).toBe(2);
    const second = await client().listOrders(
      { page: { pageSize: 2, pageToken: first.page?.nextPageToken } },
      { headers: headers.alice },
    );
    expect(second.orders[0]?.orderId).toBe(ids[0]);
  });
});
