import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cart, CartService } from "../../../gen/shop/cart/v1/cart_pb.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { type CartServer, startCartServer } from "./support/cart-server.ts";

let server: CartServer;
const run = uniqueName("r").replaceAll("_", "-").toLowerCase();
const sku = (name: string) => `${name}-${run}`;

beforeAll(async () => {
  server = await startCartServer({ maxLines: 3 });
  for (const tenant of ["acme", "globex"]) {
    await server.neighbours.product(tenant, { [sku("A")]: 1999, [sku("B")]: 500, [sku("C")]: 100, [sku("D")]: 250 });
  }
  await server.neighbours.product("acme", { [sku("ACME-ONLY")]: 700 });
  for (const [name, units] of [
    ["A", 10],
    ["B", 1000],
    ["C", 1000],
    ["D", 1000],
    ["ACME-ONLY", 5],
  ] as const) {
    await server.neighbours.stock("acme", sku(name), units);
    if (name !== "ACME-ONLY") await server.neighbours.stock("globex", sku(name), units);
  }
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function code(work: Promise<unknown>): Promise<Code | "ok"> {
  try {
    await work;
    return "ok";
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

const user = async (tenant: string, id: string) => ({
  headers: { authorization: await server.neighbours.identity.bearer(tenant, id, ["customer"]) },
});
const guest = (tenant: string) => ({ headers: { "x-tenant-id": tenant } });
const lines = (cart: Cart | undefined) => cart?.lines.map((l) => [l.sku, l.quantity]);

describe.each(["grpc", "connect"] as const)("CartService over %s", (kind) => {
  const client = () => createClient(CartService, server.transport(kind));
  const key = (name: string) => `${name}-${kind}-${run}`;

  it("when items are added, changed, removed and cleared, then every retry answers the first answer and changes nothing", async () => {
    const cart = client();
    const me = await user("acme", `ada-${kind}-${run}`);
    const added = await cart.addItem({ sku: sku("A"), quantity: 2, idempotencyKey: key("add-a") }, me);
    expect(lines(added.cart)).toEqual([[sku("A"), 2]]);
    expect(added.cart?.totals?.subtotal?.amountMinor).toBe(3998n);
    expect(added.cart?.lines[0]?.maxQuantity).toBe(10);
    expect((await cart.addItem({ sku: sku("A"), quantity: 2, idempotencyKey: key("add-a") }, me)).cart).toEqual(added.cart);
    expect(await code(cart.addItem({ sku: sku("A"), quantity: 3, idempotencyKey: key("add-a") }, me))).toBe(Code.InvalidArgument);

    const withB = await cart.addItem({ sku: sku("B"), quantity: 1, idempotencyKey: key("add-b") }, me);
    const updated = await cart.updateItemQuantity({ sku: sku("B"), quantity: 4, idempotencyKey: key("update-b") }, me);
    expect(lines(updated.cart)).toEqual([
      [sku("A"), 2],
      [sku("B"), 4],
    ]);
    expect(updated.cart?.version).toBe((withB.cart?.version ?? 0n) + 1n);
    expect((await cart.updateItemQuantity({ sku: sku("B"), quantity: 4, idempotencyKey: key("update-b") }, me)).cart).toEqual(
      updated.cart,
    );

    const removed = await cart.removeItem({ sku: sku("A"), idempotencyKey: key("remove-a") }, me);
    expect(lines(removed.cart)).toEqual([[sku("B"), 4]]);
    expect((await cart.removeItem({ sku: sku("A"), idempotencyKey: key("remove-a") }, me)).cart).toEqual(removed.cart);

    const cleared = await cart.clearCart({ idempotencyKey: key("clear") }, me);
    expect(cleared.cart?.lines).toEqual([]);
    expect((await cart.clearCart({ idempotencyKey: key("clear") }, me)).cart).toEqual(cleared.cart);

    // Replays of every earlier step after all of it: still their first answers, nothing moves.
    expect((await cart.addItem({ sku: sku("A"), quantity: 2, idempotencyKey: key("add-a") }, me)).cart).toEqual(added.cart);
    const now = (await cart.getCart({}, me)).cart;
    expect(now?.version).toBe(cleared.cart?.version);
    expect(now?.lines).toEqual([]);
    expect(now?.pricesStale).toBe(false);
  });

  it("when a guest logs in, then the guest cart is merged into the user's cart and is gone", async () => {
    const cart = client();
    const anonymous = guest("acme");
    const created = (await cart.createGuestCart({}, anonymous)).cart;
    const guestCartId = created?.cartId ?? "";
    expect(guestCartId).toMatch(/^g-/);
    await cart.addItem({ guestCartId, sku: sku("C"), quantity: 3, idempotencyKey: key("guest-c") }, anonymous);
    await cart.addItem({ guestCartId, sku: sku("D"), quantity: 1, idempotencyKey: key("guest-d") }, anonymous);

    const me = await user("acme", `bob-${kind}-${run}`);
    await cart.addItem({ sku: sku("C"), quantity: 2, idempotencyKey: key("bob-c") }, me);
    const merged = await cart.mergeGuestCart({ guestCartId, idempotencyKey: key("merge") }, me);
    expect(lines(merged.cart)).toEqual([
      [sku("C"), 5],
      [sku("D"), 1],
    ]);
    expect((await cart.mergeGuestCart({ guestCartId, idempotencyKey: key("merge") }, me)).cart).toEqual(merged.cart);
    expect(await code(cart.getCart({ guestCartId }, anonymous))).toBe(Code.NotFound);
    expect(await code(cart.mergeGuestCart({ guestCartId, idempotencyKey: key("merge-again") }, me))).toBe(Code.NotFound);
    expect(await code(cart.mergeGuestCart({ guestCartId, idempotencyKey: key("merge-anon") }, anonymous))).toBe(
      Code.InvalidArgument,
    );
    expect((await cart.getCart({}, me)).cart?.version).toBe(merged.cart?.version);
  });

  it("when tenant B calls every RPC on tenant A's carts and SKUs, then it sees and changes nothing of them", async () => {
    const cart = client();
    const aliceA = await user("acme", `alice-${kind}-${run}`);
    const aliceB = await user("globex", `alice-${kind}-${run}`);
    await cart.addItem({ sku: sku("A"), quantity: 1, idempotencyKey: key("alice-a") }, aliceA);
    const guestA = (await cart.createGuestCart({}, guest("acme"))).cart?.cartId ?? "";
    await cart.addItem({ guestCartId: guestA, sku: sku("B"), quantity: 2, idempotencyKey: key("guest-a-b") }, guest("acme"));
    const before = [(await cart.getCart({}, aliceA)).cart, (await cart.getCart({ guestCartId: guestA }, guest("acme"))).cart];

    // The same user id in globex has a cart of its own, empty.
    expect((await cart.getCart({}, aliceB)).cart?.lines).toEqual([]);
    // acme's guest cart does not exist for globex, whatever the RPC.
    const b = guest("globex");
    const g = { guestCartId: guestA };
    expect(await code(cart.getCart(g, b))).toBe(Code.NotFound);
    expect(await code(cart.addItem({ ...g, sku: sku("A"), quantity: 1, idempotencyKey: key("x-add") }, b))).toBe(Code.NotFound);
    expect(await code(cart.updateItemQuantity({ ...g, sku: sku("B"), quantity: 1, idempotencyKey: key("x-update") }, b))).toBe(
      Code.NotFound,
    );
    expect(await code(cart.removeItem({ ...g, sku: sku("B"), idempotencyKey: key("x-remove") }, b))).toBe(Code.NotFound);
    expect(await code(cart.clearCart({ ...g, idempotencyKey: key("x-clear") }, b))).toBe(Code.NotFound);
    expect(await code(cart.applyPromotion({ ...g, code: "SAVE10", idempotencyKey: key("x-apply") }, b))).toBe(Code.NotFound);
    expect(await code(cart.removePromotion({ ...g, code: "SAVE10", idempotencyKey: key("x-unapply") }, b))).toBe(Code.NotFound);
    expect(await code(cart.mergeGuestCart({ guestCartId: guestA, idempotencyKey: key("x-merge") }, aliceB))).toBe(Code.NotFound);
    // acme's SKU is unknown in globex.
    expect(await code(cart.addItem({ sku: sku("ACME-ONLY"), quantity: 1, idempotencyKey: key("x-sku") }, aliceB))).toBe(
      Code.NotFound,
    );
    // The same idempotency key in globex is another key: it does not replay acme's answer.
    const own = await cart.addItem({ sku: sku("A"), quantity: 1, idempotencyKey: key("alice-a") }, aliceB);
    expect(own.cart?.cartId).toBe(before[0]?.cartId);
    expect(lines(own.cart)).toEqual([[sku("A"), 1]]);
    expect(own.cart?.version).toBe(1n);

    expect((await cart.getCart({}, aliceA)).cart).toEqual({ ...before[0], lines: before[0]?.lines });
    expect((await cart.getCart({ guestCartId: guestA }, guest("acme"))).cart).toEqual(before[1]);
    // Admin RPCs: a customer of either tenant is refused (isolation of admin data: cart-admin.test.ts).
    expect(await code(cart.listPromotions({}, aliceB))).toBe(Code.PermissionDenied);
  });

  it("when the input is bad, then each call fails with a clear error and the cart is unchanged", async () => {
    const cart = client();
    const me = await user("acme", `carl-${kind}-${run}`);
    const start = (await cart.addItem({ sku: sku("A"), quantity: 1, idempotencyKey: key("carl-a") }, me)).cart;
    const refused = async (work: Promise<unknown>, expected: Code, text: RegExp) => {
      try {
        await work;
        throw new Error("expected a refusal");
      } catch (error) {
        const failure = ConnectError.from(error);
        expect([failure.code, failure.rawMessage]).toEqual([expected, expect.stringMatching(text)]);
      }
    };
    await refused(
      cart.addItem({ sku: sku("A"), quantity: -1, idempotencyKey: key("neg") }, me),
      Code.InvalidArgument,
      /quantity/,
    );
    await refused(
      cart.addItem({ sku: sku("A"), quantity: 0, idempotencyKey: key("zero") }, me),
      Code.InvalidArgument,
      /quantity/,
    );
    await refused(
      cart.addItem({ sku: sku("A"), quantity: 2_000_000_000, idempotencyKey: key("huge") }, me),
      Code.InvalidArgument,
      /quantity/,
    );
    await refused(
      cart.updateItemQuantity({ sku: sku("A"), quantity: -5, idempotencyKey: key("neg-upd") }, me),
      Code.InvalidArgument,
      /quantity/,
    );
    await refused(
      cart.addItem({ sku: sku("B"), quantity: 100, idempotencyKey: key("line-max") }, me),
      Code.FailedPrecondition,
      /99/,
    );
    await refused(
      cart.addItem({ sku: sku("A"), quantity: 10, idempotencyKey: key("above-stock") }, me),
      Code.FailedPrecondition,
      /available/,
    );
    await refused(cart.addItem({ sku: sku("NOPE"), quantity: 1, idempotencyKey: key("unknown") }, me), Code.NotFound, /NOPE/);
    await refused(
      cart.addItem({ sku: "x".repeat(10_000), quantity: 1, idempotencyKey: key("long-sku") }, me),
      Code.InvalidArgument,
      /sku/,
    );
    await refused(
      cart.addItem({ sku: sku("A"), quantity: 1, idempotencyKey: "short" }, me),
      Code.InvalidArgument,
      /idempotency_key/,
    );
    await refused(
      cart.updateItemQuantity({ sku: sku("C"), quantity: 1, idempotencyKey: key("no-line") }, me),
      Code.NotFound,
      /C-/,
    );
    await refused(cart.getCart({ guestCartId: "g-x" }, me), Code.InvalidArgument, /guest_cart_id/);
    await refused(cart.getCart({}, guest("acme")), Code.InvalidArgument, /guest_cart_id/);
    // 10,000 lines' worth of items, one AddItem each past the cart's line cap: refused, never stored.
    await cart.addItem({ sku: sku("B"), quantity: 1, idempotencyKey: key("fill-b") }, me);
    await cart.addItem({ sku: sku("C"), quantity: 1, idempotencyKey: key("fill-c") }, me);
    const full = (await cart.getCart({}, me)).cart;
    for (let i = 0; i < 20; i++) {
      await refused(
        cart.addItem({ sku: sku("D"), quantity: 1, idempotencyKey: key(`over-${i}`) }, me),
        Code.FailedPrecondition,
        /lines/,
      );
    }
    expect((await cart.getCart({}, me)).cart?.version).toBe(full?.version);
    expect(full?.version).toBe((start?.version ?? 0n) + 2n);
    expect(lines(full)).toEqual([
      [sku("A"), 1],
      [sku("B"), 1],
      [sku("C"), 1],
    ]);
  });

  it("when catalog is down, then the cart still reads with stored prices flagged stale and adding is UNAVAILABLE", async () => {
    const cart = client();
    const me = await user("acme", `dora-${kind}-${run}`);
    await cart.addItem({ sku: sku("B"), quantity: 2, idempotencyKey: key("dora-b") }, me);
    server.neighbours.down.catalog = true;
    try {
      const read = (await cart.getCart({}, me)).cart;
      expect(read?.pricesStale).toBe(true);
      expect(read?.totals?.subtotal?.amountMinor).toBe(1000n);
      expect(await code(cart.addItem({ sku: sku("C"), quantity: 1, idempotencyKey: key("dora-c") }, me))).toBe(Code.Unavailable);
    } finally {
      server.neighbours.down.catalog = false;
    }
    expect((await cart.getCart({}, me)).cart?.pricesStale).toBe(false);
  });
});
