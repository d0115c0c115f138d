import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import { encodeCartEntry } from "../../../adapters/redis/redis-cart-entry.ts";
import { cartKey } from "../../../adapters/redis/redis-cart-repository.ts";
import { readRunId } from "../../../adapters/redis/redis-server-identity.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import type { Role } from "../../../core/kit/roles.ts";
import { CartService, CheckoutIssueKind } from "../../../gen/shop/cart/v1/cart_pb.ts";
import { PostalAddressSchema } from "../../../gen/shop/common/v1/address_pb.ts";
import {
  OrderCancellationReason,
  OrderCancelledSchema,
  OrderConfirmedSchema,
  OrderCreatedSchema,
} from "../../../gen/shop/events/v1/order_events_pb.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { type CartServer, startCartServer } from "./support/cart-server.ts";

let server: CartServer;
const run = uniqueName("r").replaceAll("_", "-").toLowerCase();
const kinds = ["grpc", "connect"] as const;
const sku = (name: string, kind: string) => `${name}-${kind}-${run}`;
const ERROR_CODE = "shop-error-code";

beforeAll(async () => {
  server = await startCartServer({ maxLines: 3 }, { orderEvents: true });
  for (const tenant of ["acme", "globex"]) {
    for (const kind of [...kinds, "events"]) {
      await server.neighbours.product(tenant, { [sku("A", kind)]: 1999, [sku("B", kind)]: 500, [sku("C", kind)]: 100 });
      for (const [name, units] of [
        ["A", 10],
        ["B", 1000],
        ["C", 1000],
      ] as const)
        await server.neighbours.stock(tenant, sku(name, kind), units);
    }
    const admin = await bearer(tenant, "root", "tenant_admin");
    const cart = createClient(CartService, server.transport("grpc"));
    await cart.setTaxRate(
      { taxRate: { countryCode: "DE", administrativeArea: "", taxClass: "standard", ratePpm: 190_000 } },
      admin,
    );
  }
}, 90_000);
afterAll(async () => {
  await server?.stop();
});

async function bearer(tenant: string, id: string, role: Role = "customer") {
  return { headers: { authorization: await server.neighbours.identity.bearer(tenant, id, [role]) } };
}

/** The RPC code and the stable error code (response metadata) a call failed with; "ok" when it did not. */
async function failure(work: Promise<unknown>): Promise<[Code | "ok", string | null]> {
  try {
    await work;
    return ["ok", null];
  } catch (error) {
    const e = ConnectError.from(error);
    return [e.code, e.metadata.get(ERROR_CODE)];
  }
}

const berlin = create(PostalAddressSchema, {
  recipientName: "Ada",
  addressLines: ["Unter den Linden 1"],
  locality: "Berlin",
  postalCode: "10117",
  countryCode: "DE",
});
const eur = (minor: number) => ({ amountMinor: BigInt(minor), currencyCode: "EUR" });
const waitFor = async (check: () => Promise<boolean>, ms = 20_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe.each(kinds)("checkout over %s", (kind) => {
  const client = () => createClient(CartService, server.transport(kind));
  // GetCheckoutSnapshot is internal: gRPC only, whatever the customer's transport.
  const internal = () => createClient(CartService, server.transport("grpc"));
  const key = (name: string) => `${name}-${kind}-${run}`;
  const s = (name: string) => sku(name, kind);
  const promoCode = (name: string) => `${name}-${kind}-${run}`.slice(0, 32).toUpperCase();
  const admin = () => bearer("acme", `root-${kind}`, "tenant_admin");

  it("when a customer validates, then the snapshot is priced exactly with tax at a new version and orders can fetch it", async () => {
    const cart = client();
    const code = promoCode("TEN");
    await cart.createPromotion(
      {
        promotion: { code, description: "10% off", benefit: { case: "percentageOff", value: { basisPoints: 1000 } } },
        idempotencyKey: key("create-ten"),
      },
      await admin(),
    );
    const me = await bearer("acme", `ada-${kind}-${run}`);
    await cart.addItem({ sku: s("A"), quantity: 2, idempotencyKey: key("ada-a") }, me);
    await cart.addItem({ sku: s("B"), quantity: 3, idempotencyKey: key("ada-b") }, me);
    const before = (await cart.applyPromotion({ code, idempotencyKey: key("ada-ten") }, me)).cart;

    const validated = await cart.validateForCheckout({ shippingAddress: berlin }, me);
    const snapshot = validated.snapshot;
    expect(validated.issues).toEqual([]);
    expect(validated.readyForCheckout).toBe(true);
    expect(snapshot?.cartVersion).toBe((before?.version ?? 0n) + 1n);
    // A: 3998 - 400 (399.8) = 3598, 19% = 683.62 -> 684. B: 1500 - 150 = 1350, 19% = 256.5 -> 256 (half to even).
    expect(
      snapshot?.lines.map((l) => [l.sku, l.lineDiscount?.amountMinor, l.lineTax?.amountMinor, l.lineTotal?.amountMinor]),
    ).toEqual([
      [s("A"), 400n, 684n, 4282n],
      [s("B"), 150n, 256n, 1606n],
    ]);
    expect(snapshot?.totals).toMatchObject({
      subtotal: eur(5498),
      discountTotal: eur(550),
      taxTotal: eur(940),
      total: eur(5888),
    });
    expect(snapshot?.shippingAddress?.locality).toBe("Berlin");
    const expiresIn = Number(snapshot?.expireTime?.seconds ?? 0n) - Number(snapshot?.createTime?.seconds ?? 0n);
    expect(expiresIn).toBe(30 * 60);

    const fetched = await internal().getCheckoutSnapshot(
      { cartId: snapshot?.cartId ?? "", cartVersion: snapshot?.cartVersion ?? 0n },
      me,
    );
    expect(fetched.snapshot).toEqual(snapshot);
    expect(fetched.readyForCheckout).toBe(true);
    // Not served to browsers.
    expect(
      (
        await failure(
          createClient(CartService, server.transport("connect")).getCheckoutSnapshot({ cartId: "u-x", cartVersion: 1n }, me),
        )
      )[0],
    ).not.toBe("ok");

    // Another customer, another tenant, an older version, a later change.
    const ask = (who: { headers: Record<string, string> }, version = snapshot?.cartVersion ?? 0n) =>
      failure(internal().getCheckoutSnapshot({ cartId: snapshot?.cartId ?? "", cartVersion: version }, who));
    expect(await ask(await bearer("acme", `bob-${kind}-${run}`))).toEqual([Code.PermissionDenied, "CART.NOT_OWNER"]);
    expect(await ask(await bearer("globex", `ada-${kind}-${run}`))).toEqual([Code.NotFound, "CART.NOT_FOUND"]);
    expect(await ask(me, (snapshot?.cartVersion ?? 0n) - 1n)).toEqual([Code.FailedPrecondition, "CART.VERSION_STALE"]);
    await cart.updateItemQuantity({ sku: s("B"), quantity: 1, idempotencyKey: key("ada-b-1") }, me);
    expect(await ask(me)).toEqual([Code.FailedPrecondition, "CART.VERSION_STALE"]);
  });

  it("when prices, stock and the promotion moved, then the cart is corrected, each change is an issue, and a gone line blocks", async () => {
    const cart = client();
    const code = promoCode("GONE");
    const created = await cart.createPromotion(
      {
        promotion: { code, description: "5 off", benefit: { case: "fixedAmountOff", value: { amount: eur(500) } } },
        idempotencyKey: key("create-gone"),
      },
      await admin(),
    );
    const me = await bearer("acme", `cleo-${kind}-${run}`);
    await cart.addItem({ sku: s("A"), quantity: 5, idempotencyKey: key("cleo-a") }, me);
    await cart.addItem({ sku: s("C"), quantity: 2, idempotencyKey: key("cleo-c") }, me);
    await cart.applyPromotion({ code, idempotencyKey: key("cleo-gone") }, me);
    await server.neighbours.price("acme", s("A"), 2499);
    await server.neighbours.stock("acme", s("A"), 3);
    await server.neighbours.stock("acme", s("C"), 0);
    await cart.disablePromotion({ promotionId: created.promotion?.promotionId ?? "" }, await admin());

    const validated = await cart.validateForCheckout({ shippingAddress: berlin }, me);
    expect(
      validated.issues.map((i) => [i.kind, i.sku, i.promotionCode, i.previousUnitPrice?.amountMinor, i.previousQuantity]),
    ).toEqual([
      [CheckoutIssueKind.PRICE_CHANGED, s("A"), "", 1999n, 0],
      [CheckoutIssueKind.QUANTITY_REDUCED, s("A"), "", undefined, 5],
      [CheckoutIssueKind.UNAVAILABLE, s("C"), "", undefined, 0],
      [CheckoutIssueKind.PROMOTION_REMOVED, "", code, undefined, 0],
    ]);
    expect(validated.readyForCheckout).toBe(false);
    const now = (await cart.getCart({}, me)).cart;
    expect(now?.lines.map((l) => [l.sku, l.quantity, l.unitPrice?.amountMinor])).toEqual([
      [s("A"), 3, 2499n],
      [s("C"), 2, 100n],
    ]);
    expect(now?.appliedPromotions).toEqual([]);
    expect(now?.version).toBe(validated.snapshot?.cartVersion);
    const fetched = await internal().getCheckoutSnapshot({ cartId: now?.cartId ?? "", cartVersion: now?.version ?? 0n }, me);
    expect(fetched.readyForCheckout).toBe(false);
    await server.neighbours.price("acme", s("A"), 1999);
    await server.neighbours.stock("acme", s("A"), 10);
    await server.neighbours.stock("acme", s("C"), 1000);
  });

  it("when catalog or inventory is down, then validating is UNAVAILABLE and the cart does not move", async () => {
    const cart = client();
    const me = await bearer("acme", `dora-${kind}-${run}`);
    const added = (await cart.addItem({ sku: s("B"), quantity: 2, idempotencyKey: key("dora-b") }, me)).cart;
    for (const dependency of ["catalog", "inventory"] as const) {
      server.neighbours.down[dependency] = true;
      try {
        expect((await failure(cart.validateForCheckout({ shippingAddress: berlin }, me)))[0]).toBe(Code.Unavailable);
      } finally {
        server.neighbours.down[dependency] = false;
      }
    }
    expect((await cart.getCart({}, me)).cart?.version).toBe(added?.version);
    expect(
      await failure(internal().getCheckoutSnapshot({ cartId: added?.cartId ?? "", cartVersion: added?.version ?? 0n }, me)),
    ).toEqual([Code.NotFound, "CART.SNAPSHOT_NOT_FOUND"]);
  });

  it("when the input is bad or the caller is not allowed, then the checkout RPCs refuse clearly and nothing changes", async () => {
    const cart = client();
    const me = await bearer("acme", `eve-${kind}-${run}`);
    expect(await failure(cart.validateForCheckout({ shippingAddress: berlin }, me))).toEqual([
      Code.FailedPrecondition,
      "CART.EMPTY",
    ]);
    const added = (await cart.addItem({ sku: s("B"), quantity: 1, idempotencyKey: key("eve-b") }, me)).cart;
    const invalid = async (work: Promise<unknown>, field: RegExp) => {
      const error = await work.then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
      expect([error?.code, error?.rawMessage]).toEqual([Code.InvalidArgument, expect.stringMatching(field)]);
    };
    await invalid(cart.validateForCheckout({}, me), /shipping_address/);
    await invalid(cart.validateForCheckout({ shippingAddress: { ...berlin, countryCode: "de" } }, me), /country_code/);
    await invalid(cart.validateForCheckout({ shippingAddress: { ...berlin, addressLines: [] } }, me), /address_lines/);
    await invalid(internal().getCheckoutSnapshot({ cartId: "", cartVersion: 1n }, me), /cart_id/);
    await invalid(internal().getCheckoutSnapshot({ cartId: added?.cartId ?? "", cartVersion: 0n }, me), /cart_version/);
    await invalid(internal().getCheckoutSnapshot({ cartId: "x".repeat(65), cartVersion: 1n }, me), /cart_id/);
    // Anonymous: a guest checks out after logging in.
    const guest = { headers: { "x-tenant-id": "acme" } };
    expect((await failure(cart.validateForCheckout({ shippingAddress: berlin }, guest)))[0]).toBe(Code.Unauthenticated);
    expect((await failure(internal().getCheckoutSnapshot({ cartId: added?.cartId ?? "", cartVersion: 1n }, guest)))[0]).toBe(
      Code.Unauthenticated,
    );
    // Tenant B: its own (empty) cart; tenant A's cart does not exist there.
    const eveB = await bearer("globex", `eve-${kind}-${run}`);
    expect(await failure(cart.validateForCheckout({ shippingAddress: berlin }, eveB))).toEqual([
      Code.FailedPrecondition,
      "CART.EMPTY",
    ]);
    expect(
      (
        await failure(internal().getCheckoutSnapshot({ cartId: added?.cartId ?? "", cartVersion: added?.version ?? 1n }, eveB))
      )[0],
    ).toBe(Code.NotFound);
    // An expired code: FAILED_PRECONDITION naming why; a huge quantity: INVALID_ARGUMENT; the cart unchanged.
    const expired = promoCode("OLD");
    const hour = 60 * 60_000;
    await cart.createPromotion(
      {
        promotion: {
          code: expired,
          description: "over",
          benefit: { case: "percentageOff", value: { basisPoints: 500 } },
          startTime: timestampFromDate(new Date(Date.now() - 2 * hour)),
          endTime: timestampFromDate(new Date(Date.now() - hour)),
        },
        idempotencyKey: key("create-old"),
      },
      await admin(),
    );
    expect(await failure(cart.applyPromotion({ code: expired, idempotencyKey: key("eve-old") }, me))).toEqual([
      Code.FailedPrecondition,
      "CART.PROMOTION_ENDED",
    ]);
    await invalid(
      cart.updateItemQuantity({ sku: s("B"), quantity: 2_000_000_000, idempotencyKey: key("eve-huge") }, me),
      /quantity/,
    );
    expect((await cart.getCart({}, me)).cart).toEqual(added);
  });

  it("when Redis holds a cart the database does not have, then the change is made on the database's cart at once", async () => {
    const cart = client();
    const userId = `fay-${kind}-${run}`;
    const me = await bearer("acme", userId);
    const stored = (await cart.addItem({ sku: s("A"), quantity: 1, idempotencyKey: key("fay-a") }, me)).cart;
    // Redis gets a copy the database never had (a restored database, say): version 50, other lines.
    const tenantId = parseTenantId("acme");
    await server.redis.set(
      cartKey(tenantId, `u-${userId}`),
      encodeCartEntry(
        {
          tenantId,
          id: `u-${userId}`,
          userId,
          lines: [
            {
              sku: s("C"),
              productId: "p",
              productName: "ghost",
              imageUrl: "",
              quantity: 7,
              unitPriceMinor: 100,
              currency: "EUR",
              taxClass: "standard",
            },
          ],
          promotionCodes: [],
          createdAt: new Date(),
          updatedAt: new Date(),
          expiresAt: new Date(Date.now() + 60 * 60_000),
          version: 50,
        },
        await readRunId(server.redis),
      ),
      "PX",
      60 * 60_000,
    );
    const changed = (await cart.addItem({ sku: s("B"), quantity: 1, idempotencyKey: key("fay-b") }, me)).cart;
    expect(changed?.lines.map((l) => [l.sku, l.quantity])).toEqual([
      [s("A"), 1],
      [s("B"), 1],
    ]);
    expect(changed?.version).toBe((stored?.version ?? 0n) + 1n);
    expect((await cart.getCart({}, me)).cart).toEqual(changed);
  });
});

describe("order-events (Kafka)", () => {
  const s = (name: string) => sku(name, "events");
  const scope = { tenantId: parseTenantId("acme"), correlationId: `saga-${run}` };
  const event = <T extends typeof OrderCreatedSchema | typeof OrderConfirmedSchema | typeof OrderCancelledSchema>(
    schema: T,
    init: Parameters<typeof encodeEvent<T>>[1],
    orderId: string,
  ) => encodeEvent(schema, init, { topic: server.orderEventsTopic, key: orderId, occurredAt: new Date() }, scope);

  it("when an order is created, confirmed and cancelled (each delivered twice), then redemptions count once, the cart clears, and they are given back once", async () => {
    const cart = createClient(CartService, server.transport("grpc"));
    const admin = await bearer("acme", "root-events", "tenant_admin");
    const code = `ONCE-${run}`.slice(0, 32).toUpperCase();
    await cart.createPromotion(
      {
        promotion: {
          code,
          description: "once per customer",
          benefit: { case: "percentageOff", value: { basisPoints: 1000 } },
          maxRedemptionsPerUser: 1,
          maxRedemptions: 10,
        },
        idempotencyKey: `create-once-${run}`,
      },
      admin,
    );
    const redeemed = async () =>
      Number((await cart.listPromotions({}, admin)).promotions.find((p) => p.definition?.code === code)?.redemptionCount ?? -1n);
    const userId = `gus-${run}`;
    const me = await bearer("acme", userId);
    await cart.addItem({ sku: s("A"), quantity: 1, idempotencyKey: `gus-a-${run}` }, me);
    await cart.applyPromotion({ code, idempotencyKey: `gus-once-${run}` }, me);
    const snapshot = (await cart.validateForCheckout({ shippingAddress: berlin }, me)).snapshot;
    const orderId = `order-${run}`;
    const created = event(
      OrderCreatedSchema,
      { orderId, userId, cartId: snapshot?.cartId ?? "", cartVersion: snapshot?.cartVersion ?? 0n, promotionCodes: [code] },
      orderId,
    );
    await server.publishOrderEvents([created, created, { ...created, id: `created-again-${run}` }]);
    await waitFor(async () => (await redeemed()) === 1);

    await server.publishOrderEvents([event(OrderConfirmedSchema, { orderId, userId }, orderId)]);
    await waitFor(async () => (await cart.getCart({}, me)).cart?.lines.length === 0);
    // The per-user limit now holds.
    await cart.addItem({ sku: s("B"), quantity: 1, idempotencyKey: `gus-b-${run}` }, me);
    expect(await failure(cart.applyPromotion({ code, idempotencyKey: `gus-again-${run}` }, me))).toEqual([
      Code.FailedPrecondition,
      "CART.PROMOTION_USER_LIMIT",
    ]);

    const cancelled = event(OrderCancelledSchema, { orderId, userId, reason: OrderCancellationReason.PAYMENT_DECLINED }, orderId);
    await server.publishOrderEvents([cancelled, { ...cancelled, id: `cancelled-again-${run}` }]);
    await waitFor(async () => (await redeemed()) === 0);
    await cart.applyPromotion({ code, idempotencyKey: `gus-after-${run}` }, me);
    expect(await redeemed()).toBe(0);
  });

  it("when the cart changed after checkout, then the confirmed order leaves the new lines in place", async () => {
    const cart = createClient(CartService, server.transport("grpc"));
    const userId = `hal-${run}`;
    const me = await bearer("acme", userId);
    await cart.addItem({ sku: s("A"), quantity: 1, idempotencyKey: `hal-a-${run}` }, me);
    const snapshot = (await cart.validateForCheckout({ shippingAddress: berlin }, me)).snapshot;
    const orderId = `order-hal-${run}`;
    await server.publishOrderEvents([
      event(
        OrderCreatedSchema,
        { orderId, userId, cartId: snapshot?.cartId ?? "", cartVersion: snapshot?.cartVersion ?? 0n },
        orderId,
      ),
    ]);
    await cart.addItem({ sku: s("B"), quantity: 2, idempotencyKey: `hal-b-${run}` }, me);
    const confirmed = event(OrderConfirmedSchema, { orderId, userId }, orderId);
    await server.publishOrderEvents([confirmed]);
    await waitFor(() => server.isProcessed(confirmed.id));
    expect((await cart.getCart({}, me)).cart?.lines.map((l) => [l.sku, l.quantity])).toEqual([
      [s("A"), 1],
      [s("B"), 2],
    ]);
  });
});
