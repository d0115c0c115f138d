import type { ServiceImpl } from "@connectrpc/connect";
import {
  addItem,
  applyPromotion,
  clearCart,
  createGuestCart,
  getCart,
  mergeGuestCart,
  removeItem,
  removePromotion,
  updateItemQuantity,
} from "../../core/cart/cart-commands.ts";
import type { CartDeps } from "../../core/cart/cart-deps.ts";
import { getCheckoutSnapshot, validateForCheckout } from "../../core/cart/checkout.ts";
import { isReadyForCheckout } from "../../core/cart/checkout-snapshot.ts";
import { createPromotionCode, disablePromotionCode, listPromotionCodes } from "../../core/cart/promotion-admin.ts";
import { deleteTaxRate, listTaxRates, setTaxRate } from "../../core/cart/tax-rate-admin.ts";
import { invalidField } from "../../core/kit/domain-error.ts";
import { requestContext } from "../../adapters/rpc/call-context.ts";
import type { CartService } from "../../gen/shop/cart/v1/cart_pb.ts";
import {
  cartToProto,
  checkoutIssueToProto,
  checkoutSnapshotToProto,
  promotionAmountCurrencies,
  promotionDefinitionFromProto,
  promotionToProto,
  shippingAddressFromProto,
  taxRateFromProto,
  taxRateToProto,
} from "./cart-proto-mapping.ts";

/** Methods for other services only (orders): served over gRPC, never to browsers. */
export const CART_INTERNAL_METHODS = ["GetCheckoutSnapshot"] as const;

/**
 * CartService: proto in, core use case, proto out. The tenant and the caller come from the call
 * (token, or x-tenant-id for guests), never from the body; which cart a call means is decided in
 * the core (the caller's own, or the named guest cart).
 */
export function cartHandlers(deps: CartDeps): ServiceImpl<typeof CartService> {
  return {
    async createGuestCart(_request, ctx) {
      return { cart: cartToProto(await createGuestCart(deps, requestContext(ctx))) };
    },
    async getCart(request, ctx) {
      return { cart: cartToProto(await getCart(deps, requestContext(ctx), { guestCartId: request.guestCartId })) };
    },
    async addItem(request, ctx) {
      return { cart: cartToProto(await addItem(deps, requestContext(ctx), request)) };
    },
    async updateItemQuantity(request, ctx) {
      return { cart: cartToProto(await updateItemQuantity(deps, requestContext(ctx), request)) };
    },
    async removeItem(request, ctx) {
      return { cart: cartToProto(await removeItem(deps, requestContext(ctx), request)) };
    },
    async clearCart(request, ctx) {
      return { cart: cartToProto(await clearCart(deps, requestContext(ctx), request)) };
    },
    async applyPromotion(request, ctx) {
      return { cart: cartToProto(await applyPromotion(deps, requestContext(ctx), request)) };
    },
    async removePromotion(request, ctx) {
      return { cart: cartToProto(await removePromotion(deps, requestContext(ctx), request)) };
    },
    async mergeGuestCart(request, ctx) {
      return { cart: cartToProto(await mergeGuestCart(deps, requestContext(ctx), request)) };
    },
    async validateForCheckout(request, ctx) {
      const { snapshot, issues } = await validateForCheckout(deps, requestContext(ctx), {
        shippingAddress: shippingAddressFromProto(request.shippingAddress),
      });
      return {
        snapshot: checkoutSnapshotToProto(snapshot),
        issues: issues.map(checkoutIssueToProto),
        readyForCheckout: isReadyForCheckout(snapshot),
      };
    },
    async getCheckoutSnapshot(request, ctx) {
      if (request.cartVersion > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidField("cart_version", "too large");
      const snapshot = await getCheckoutSnapshot(deps, requestContext(ctx), {
        cartId: request.cartId,
        cartVersion: Number(request.cartVersion),
      });
      return { snapshot: checkoutSnapshotToProto(snapshot), readyForCheckout: isReadyForCheckout(snapshot) };
    },
    async createPromotion(request, ctx) {
      const call = requestContext(ctx);
      const promotion = await createPromotionCode(deps, call, {
        definition: promotionDefinitionFromProto(request.promotion),
        amountCurrencies: promotionAmountCurrencies(request.promotion),
        idempotencyKey: request.idempotencyKey,
      });
      return { promotion: promotionToProto(promotion, await deps.currencyOf(call.tenantId)) };
    },
    async disablePromotion(request, ctx) {
      const call = requestContext(ctx);
      const promotion = await disablePromotionCode(deps, call, { promotionId: request.promotionId });
      return { promotion: promotionToProto(promotion, await deps.currencyOf(call.tenantId)) };
    },
    async listPromotions(request, ctx) {
      const call = requestContext(ctx);
      const page = await listPromotionCodes(deps, call, {
        includeInactive: request.includeInactive,
        pageSize: request.page?.pageSize ?? 0,
        pageToken: request.page?.pageToken ?? "",
      });
      const currency = await deps.currencyOf(call.tenantId);
      return {
        promotions: page.promotions.map((p) => promotionToProto(p, currency)),
        page: { nextPageToken: page.nextPageToken },
      };
    },
    async setTaxRate(request, ctx) {
      return { taxRate: taxRateToProto(await setTaxRate(deps, requestContext(ctx), taxRateFromProto(request.taxRate))) };
    },
    async deleteTaxRate(request, ctx) {
      await deleteTaxRate(deps, requestContext(ctx), request);
      return {};
    },
    async listTaxRates(request, ctx) {
      const page = await listTaxRates(deps, requestContext(ctx), {
        countryCode: request.countryCode,
        pageSize: request.page?.pageSize ?? 0,
        pageToken: request.page?.pageToken ?? "",
      });
      return { taxRates: page.taxRates.map(taxRateToProto), page: { nextPageToken: page.nextPageToken } };
    },
  };
}
