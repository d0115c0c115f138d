import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.ts";
import { PromotionStatus } from "../../../gen/shop/cart/v1/promotions_pb.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { type CartServer, startCartServer } from "./support/cart-server.ts";

let server: CartServer;
const run = uniqueName("p").replaceAll("_", "-").toLowerCase();
const sku = (name: string) => `${name}-${run}`;

beforeAll(async () => {
  server = await startCartServer();
  for (const tenant of ["acme", "globex"]) {
    await server.neighbours.product(tenant, { [sku("A")]: 1999, [sku("B")]: 500 });
    await server.neighbours.stock(tenant, sku("A"), 100);
    await server.neighbours.stock(tenant, sku("B"), 100);
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

const as = async (tenant: string, id: string, role: "customer" | "tenant_admin") => ({
  headers: { authorization: await server.neighbours.identity.bearer(tenant, id, [role]) },
});
const eur = (minor: number) => ({ amountMinor: BigInt(minor), currencyCode: "EUR" });

describe.each(["grpc", "connect"] as const)("CartService admin RPCs over %s", (kind) => {
  const client = () => createClient(CartService, server.transport(kind));
  const key = (name: string) => `${name}-${kind}-${run}`;
  const promoCode = (name: string) => `${name}-${kind}-${run}`.slice(0, 32).toUpperCase();

  it("when an admin creates a code, then a customer applies it and the totals are exact; a retry answers the same promotion", async () => {
    const cart = client();
    const admin = await as("acme", `root-${kind}`, "tenant_admin");
    const code_ = promoCode("TEN");
    const input = {
      code: code_.toLowerCase(),
      description: "10% off, 2 EUR minimum",
      benefit: { case: "percentageOff" as const, value: { basisPoints: 1000 } },
      minimumSubtotal: eur(200),
    };
    const created = await cart.createPromotion({ promotion: input, idempotencyKey: key("create-ten") }, admin);
    expect(created.promotion?.definition?.code).toBe(code_);
    expect(created.promotion?.status).toBe(PromotionStatus.ACTIVE);
    expect((await cart.createPromotion({ promotion: input, idempotencyKey: key("create-ten") }, admin)).promotion).toEqual(
      created.promotion,
    );
    expect(
      await code(cart.createPromotion({ promotion: { ...input, stackable: true }, idempotencyKey: key("create-ten") }, admin)),
    ).toBe(Code.InvalidArgument);
    expect(await code(cart.createPromotion({ promotion: input, idempotencyKey: key("create-ten-2") }, admin))).toBe(
      Code.AlreadyExists,
    );

    const me = await as("acme", `ada-${kind}-${run}`, "customer");
    await cart.addItem({ sku: sku("A"), quantity: 1, idempotencyKey: key("add-a") }, me);
    await cart.addItem({ sku: sku("B"), quantity: 3, idempotencyKey: key("add-b") }, me);
    const applied = (await cart.applyPromotion({ code: code_.toLowerCase(), idempotencyKey: key("apply") }, me)).cart;
    // 1999 + 1500 = 3499; 10%: 199.9 -> 200 (half-even) and 150 -> 150.
    expect(applied?.totals?.subtotal?.amountMinor).toBe(3499n);
    expect(applied?.totals?.discountTotal?.amountMinor).toBe(350n);
    expect(applied?.totals?.total?.amountMinor).toBe(3149n);
    expect(applied?.lines.map((l) => l.lineDiscount?.amountMinor)).toEqual([200n, 150n]);
    expect(applied?.appliedPromotions.map((p) => [p.code, p.discount?.amountMinor])).toEqual([[code_, 350n]]);

    const listed = await cart.listPromotions({}, admin);
    expect(listed.promotions.map((p) => p.promotionId)).toContain(created.promotion?.promotionId);
    const disabled = await cart.disablePromotion({ promotionId: created.promotion?.promotionId ?? "" }, admin);
    expect(disabled.promotion?.status).toBe(PromotionStatus.DISABLED);
    expect((await cart.disablePromotion({ promotionId: created.promotion?.promotionId ?? "" }, admin)).promotion).toEqual(
      disabled.promotion,
    );
    expect((await cart.listPromotions({}, admin)).promotions.map((p) => p.promotionId)).not.toContain(
      created.promotion?.promotionId,
    );
    expect((await cart.listPromotions({ includeInactive: true }, admin)).promotions.map((p) => p.promotionId)).toContain(
      created.promotion?.promotionId,
    );
    // The cart drops the disabled code at its next change.
    const next = (await cart.updateItemQuantity({ sku: sku("B"), quantity: 2, idempotencyKey: key("update-b") }, me)).cart;
    expect(next?.appliedPromotions).toEqual([]);
    expect(next?.totals?.total?.amountMinor).toBe(2999n);
  });

  it("when a customer or an anonymous caller calls an admin RPC, then PERMISSION_DENIED or UNAUTHENTICATED, nothing stored", async () => {
    const cart = client();
    const me = await as("acme", `eve-${kind}-${run}`, "customer");
    const input = {
      code: promoCode("EVE"),
      description: "free",
      benefit: { case: "percentageOff" as const, value: { basisPoints: 10000 } },
    };
    expect(await code(cart.createPromotion({ promotion: input, idempotencyKey: key("eve-create") }, me))).toBe(
      Code.PermissionDenied,
    );
    expect(await code(cart.listPromotions({}, me))).toBe(Code.PermissionDenied);
    expect(await code(cart.disablePromotion({ promotionId: "whatever" }, me))).toBe(Code.PermissionDenied);
    const rate = { countryCode: "DE", administrativeArea: "", taxClass: "standard", ratePpm: 0 };
    expect(await code(cart.setTaxRate({ taxRate: rate }, me))).toBe(Code.PermissionDenied);
    expect(await code(cart.deleteTaxRate(rate, me))).toBe(Code.PermissionDenied);
    expect(await code(cart.listTaxRates({}, me))).toBe(Code.PermissionDenied);
    expect(
      await code(
        cart.createPromotion({ promotion: input, idempotencyKey: key("anon-create") }, { headers: { "x-tenant-id": "acme" } }),
      ),
    ).toBe(Code.Unauthenticated);
    expect(await code(cart.applyPromotion({ code: input.code, idempotencyKey: key("eve-apply") }, me))).toBe(Code.NotFound);
  });

  it("when tenant A's admin makes codes and rates, then tenant B sees and applies none of them", async () => {
    const cart = client();
    const acmeAdmin = await as("acme", `root-${kind}`, "tenant_admin");
    const globexAdmin = await as("globex", `root-${kind}`, "tenant_admin");
    const input = {
      code: promoCode("ACME"),
      description: "5 EUR off",
      benefit: { case: "fixedAmountOff" as const, value: { amount: eur(500) } },
    };
    const created = await cart.createPromotion({ promotion: input, idempotencyKey: key("acme-create") }, acmeAdmin);
    const id = created.promotion?.promotionId ?? "";
    expect(
      (await cart.listPromotions({ includeInactive: true }, globexAdmin)).promotions.map((p) => p.promotionId),
    ).not.toContain(id);
    expect(await code(cart.disablePromotion({ promotionId: id }, globexAdmin))).toBe(Code.NotFound);
    const bob = await as("globex", `bob-${kind}-${run}`, "customer");
    await cart.addItem({ sku: sku("A"), quantity: 1, idempotencyKey: key("bob-add") }, bob);
    expect(await code(cart.applyPromotion({ code: input.code, idempotencyKey: key("bob-apply") }, bob))).toBe(Code.NotFound);

    const country = kind === "grpc" ? "XG" : "XC";
    const rate = { countryCode: country, administrativeArea: "ca", taxClass: "standard", ratePpm: 72_500 };
    expect((await cart.setTaxRate({ taxRate: rate }, acmeAdmin)).taxRate).toMatchObject({ ...rate, administrativeArea: "CA" });
    expect((await cart.setTaxRate({ taxRate: { ...rate, ratePpm: 80_000 } }, acmeAdmin)).taxRate?.ratePpm).toBe(80_000);
    expect((await cart.listTaxRates({ countryCode: country }, acmeAdmin)).taxRates.map((r) => r.ratePpm)).toEqual([80_000]);
    expect((await cart.listTaxRates({ countryCode: country }, globexAdmin)).taxRates).toEqual([]);
    expect(await code(cart.deleteTaxRate(rate, globexAdmin))).toBe(Code.NotFound);
    expect(await code(cart.deleteTaxRate(rate, acmeAdmin))).toBe("ok");
    expect(await code(cart.deleteTaxRate(rate, acmeAdmin))).toBe(Code.NotFound);
    expect(await code(cart.setTaxRate({ taxRate: { ...rate, ratePpm: 2_000_000 } }, acmeAdmin))).toBe(Code.InvalidArgument);
  });
});
