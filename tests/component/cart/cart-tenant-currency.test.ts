import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryTenantDirectory } from "../../../adapters/memory/memory-tenant-directory.ts";
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { type CartServer, startCartServer } from "./support/cart-server.ts";

let server: CartServer;
const run = uniqueName("c").replaceAll("_", "-").toLowerCase();
const sku = (name: string) => `${name}-${run}`;
const money = (minor: number, currencyCode: string) => ({ amountMinor: BigInt(minor), currencyCode });

// acme sells in EUR, globex in USD, each as the tenant directory says. globex's OLD product was
// priced while the directory knew no currency for globex (EUR, the fallback): a catalog price
// in another currency than the cart's.
beforeAll(async () => {
  const tenants = createMemoryTenantDirectory(["acme", "globex"], { acme: "EUR" });
  server = await startCartServer({}, { tenants });
  await server.neighbours.product("globex", { [sku("OLD")]: 1999 });
  tenants.activate("globex", "USD");
  await server.neighbours.product("acme", { [sku("A")]: 1999 });
  await server.neighbours.product("globex", { [sku("U")]: 300 });
  for (const [tenant, name] of [
    ["acme", "A"],
    ["globex", "U"],
    ["globex", "OLD"],
  ] as const) {
    await server.neighbours.stock(tenant, sku(name), 100);
  }
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function failure(work: Promise<unknown>): Promise<[Code | "ok", string | null, string]> {
  try {
    await work;
    return ["ok", null, ""];
  } catch (error) {
    const e = ConnectError.from(error);
    return [e.code, e.metadata.get("shop-error-field"), e.rawMessage];
  }
}

const as = async (tenant: string, id: string, role: "customer" | "tenant_admin") => ({
  headers: { authorization: await server.neighbours.identity.bearer(tenant, id, [role]) },
});

describe.each(["grpc", "connect"] as const)("the tenant's own currency over %s", (kind) => {
  const client = () => createClient(CartService, server.transport(kind));
  const key = (name: string) => `${name}-${kind}-${run}`;
  const promoCode = (name: string) => `${name}-${kind}-${run}`.slice(0, 32).toUpperCase();

  it("when customers of two tenants in different currencies open empty carts, then each cart's totals are in its tenant's currency", async () => {
    const cart = client();
    const acmeCart = (await cart.getCart({}, await as("acme", `ada-${kind}-${run}`, "customer"))).cart;
    const globexCart = (await cart.getCart({}, await as("globex", `gus-${kind}-${run}`, "customer"))).cart;
    expect(acmeCart?.totals?.total).toMatchObject(money(0, "EUR"));
    expect(globexCart?.totals?.total).toMatchObject(money(0, "USD"));
    const guest = (await cart.createGuestCart({}, { headers: { "x-tenant-id": "globex" } })).cart;
    expect(guest?.totals?.subtotal).toMatchObject(money(0, "USD"));
  });

  it("when an admin creates a promotion with an amount in another currency than the tenant's, then INVALID_ARGUMENT naming the field; in its own it applies, shown in it", async () => {
    const cart = client();
    const admin = await as("globex", `root-${kind}-${run}`, "tenant_admin");
    const fixedInEuros = {
      code: promoCode("FIVE"),
      description: "5 off",
      benefit: { case: "fixedAmountOff" as const, value: { amount: money(500, "EUR") } },
    };
    const [fixedCode, fixedField, fixedMessage] = await failure(
      cart.createPromotion({ promotion: fixedInEuros, idempotencyKey: key("fixed-eur") }, admin),
    );
    expect([fixedCode, fixedField]).toEqual([Code.InvalidArgument, "promotion.fixed_amount_off.amount"]);
    expect(fixedMessage).toMatch(/must be in USD/);
    const minimumInEuros = {
      code: promoCode("TEN"),
      description: "10% over 10",
      benefit: { case: "percentageOff" as const, value: { basisPoints: 1000 } },
      minimumSubtotal: money(1000, "EUR"),
    };
    expect(
      (await failure(cart.createPromotion({ promotion: minimumInEuros, idempotencyKey: key("minimum-eur") }, admin))).slice(0, 2),
    ).toEqual([Code.InvalidArgument, "promotion.minimum_subtotal"]);
    expect((await cart.listPromotions({ includeInactive: true }, admin)).promotions.map((p) => p.definition?.code)).not.toContain(
      fixedInEuros.code,
    );

    const inDollars = {
      ...fixedInEuros,
      benefit: { case: "fixedAmountOff" as const, value: { amount: money(500, "USD") } },
      minimumSubtotal: money(600, "USD"),
    };
    const created = (await cart.createPromotion({ promotion: inDollars, idempotencyKey: key("fixed-usd") }, admin)).promotion;
    expect(created?.definition?.benefit.value).toMatchObject({ amount: money(500, "USD") });
    expect(created?.definition?.minimumSubtotal).toMatchObject(money(600, "USD"));
    const me = await as("globex", `hal-${kind}-${run}`, "customer");
    await cart.addItem({ sku: sku("U"), quantity: 3, idempotencyKey: key("hal-u") }, me);
    const applied = (await cart.applyPromotion({ code: inDollars.code, idempotencyKey: key("hal-apply") }, me)).cart;
    expect([applied?.totals?.subtotal, applied?.totals?.discountTotal, applied?.totals?.total]).toMatchObject([
      money(900, "USD"),
      money(500, "USD"),
      money(400, "USD"),
    ]);
  });

  it("when catalog prices a SKU in another currency than the tenant's, then AddItem is FAILED_PRECONDITION saying both and the cart is unchanged", async () => {
    const cart = client();
    const me = await as("globex", `ivy-${kind}-${run}`, "customer");
    const [status, , message] = await failure(cart.addItem({ sku: sku("OLD"), quantity: 1, idempotencyKey: key("ivy-old") }, me));
    expect(status).toBe(Code.FailedPrecondition);
    expect(message).toBe(`sku ${sku("OLD")} is priced in EUR, the cart is in USD`);
    expect((await cart.getCart({}, me)).cart?.lines).toEqual([]);
  });
});
