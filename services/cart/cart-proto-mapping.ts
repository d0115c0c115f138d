import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { CartView } from "../../core/cart/cart-view.ts";
import { type Cart, CartSchema } from "../../gen/shop/cart/v1/cart_pb.ts";

/** A cart view as the contract shows it: every amount in minor units of the cart currency. */
export function cartToProto(view: CartView): Cart {
  const money = (minor: number) => ({ amountMinor: BigInt(minor), currencyCode: view.currency });
  return create(CartSchema, {
    cartId: view.cartId,
    userId: view.userId ?? "",
    version: BigInt(view.version),
    lines: view.lines.map((line) => ({
      sku: line.sku,
      productId: line.productId,
      productName: line.productName,
      imageUrl: line.imageUrl,
      quantity: line.quantity,
      unitPrice: money(line.unitPriceMinor),
      lineSubtotal: money(line.subtotalMinor),
      lineDiscount: money(line.discountMinor),
      lineTax: money(line.taxMinor),
      lineTotal: money(line.totalMinor),
      taxClass: line.taxClass,
      maxQuantity: line.maxQuantity,
    })),
    appliedPromotions: view.promotions.map((p) => ({
      code: p.code,
      description: p.description,
      discount: money(p.discountMinor),
    })),
    totals: {
      subtotal: money(view.subtotalMinor),
      discountTotal: money(view.discountTotalMinor),
      taxTotal: money(view.taxTotalMinor),
      total: money(view.totalMinor),
    },
    pricesStale: view.pricesStale,
    itemCount: view.itemCount,
    updateTime: timestampFromDate(view.updatedAt),
    expireTime: timestampFromDate(view.expiresAt),
  });
}
