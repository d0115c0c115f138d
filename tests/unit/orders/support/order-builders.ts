import { money } from "../../../../core/kit/money.ts";
import type { TenantId } from "../../../../core/kit/request-context.ts";
import { parseTenantId, type RequestContext } from "../../../../core/kit/request-context.ts";
import type { CheckoutSnapshot } from "../../../../core/orders/checkout-snapshots.ts";
import type { Order } from "../../../../core/orders/order.ts";

export const T0 = new Date("2026-03-01T10:00:00.000Z");
const eur = (n: number) => money(n, "EUR");

export const address = {
  recipientName: "Ada Lovelace",
  addressLines: ["1 Analytical Way"],
  locality: "London",
  administrativeArea: "",
  postalCode: "N1 1AA",
  countryCode: "GB",
  phoneNumber: "",
};

export function snapshotOf(cartId: string, userId: string, overrides: Partial<CheckoutSnapshot> = {}): CheckoutSnapshot {
  return {
    cartId,
    cartVersion: 3,
    userId,
    lines: [
      {
        sku: "SKU-1",
        productId: "p1",
        productName: "Widget",
        quantity: 2,
        unitPrice: eur(1000),
        lineSubtotal: eur(2000),
        lineDiscount: eur(0),
        lineTax: eur(400),
        lineTotal: eur(2400),
      },
    ],
    promotionCodes: [],
    totals: { subtotal: eur(2000), discountTotal: eur(0), taxTotal: eur(400), total: eur(2400) },
    shippingAddress: address,
    expiresAt: new Date(T0.getTime() + 15 * 60_000),
    readyForCheckout: true,
    ...overrides,
  };
}

export function orderIn(state: Order["state"], overrides: Partial<Order> = {}): Order {
  const s = snapshotOf("cart-1", "u1");
  return {
    id: "o1",
    userId: "u1",
    state,
    cancellationReason: undefined,
    payment: "none",
    stockHeld: false,
    lines: s.lines,
    promotionCodes: [],
    totals: s.totals,
    shippingAddress: address,
    cartId: "cart-1",
    cartVersion: 3,
    paymentMethodToken: "tok_visa",
    idempotencyKey: "key-00000001",
    paymentId: undefined,
    shipmentId: undefined,
    placedAt: T0,
    updatedAt: T0,
    deadlineAt: new Date(T0.getTime() + 60_000),
    leaseUntil: undefined,
    version: 1,
    ...overrides,
  };
}

export function ctxOf(tenant: string, userId: string | undefined, roles: string[] = ["customer"]): RequestContext {
  return {
    tenantId: parseTenantId(tenant) as TenantId,
    caller: userId ? { userId, roles } : undefined,
    correlationId: `corr-${tenant}`,
    signal: new AbortController().signal,
  };
}
