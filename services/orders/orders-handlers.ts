import type { ServiceImpl } from "@connectrpc/connect";
import type { OrderDeps } from "../../core/orders/order-deps.ts";
import { cancelOrder, getOrder, listOrders, placeOrder } from "../../core/orders/orders.ts";
import { requestContext } from "../../adapters/rpc/call-context.ts";
import { AUTHORIZATION_HEADER } from "../../adapters/rpc/jwt-identity-resolver.ts";
import { withForwardedAuthorization } from "../../adapters/rpc/orders/forwarded-authorization.ts";
import type { OrderService } from "../../gen/shop/orders/v1/orders_pb.ts";
import { orderToProto, statusFromProto, summaryToProto } from "./orders-proto-mapping.ts";

/**
 * OrderService: proto in, core use case, proto out. The tenant and the user come from the
 * token; PlaceOrder forwards the customer's authorization to cart.GetCheckoutSnapshot.
 */
export function ordersHandlers(deps: OrderDeps): ServiceImpl<typeof OrderService> {
  return {
    async placeOrder(request, ctx) {
      const order = await withForwardedAuthorization(ctx.requestHeader.get(AUTHORIZATION_HEADER), () =>
        placeOrder(deps, requestContext(ctx), {
          cartId: request.cartId,
          cartVersion: Number(request.cartVersion),
          paymentMethodToken: request.paymentMethodToken,
          idempotencyKey: request.idempotencyKey,
        }),
      );
      return { order: orderToProto(order) };
    },
    async getOrder(request, ctx) {
      const { order, timeline } = await getOrder(deps, requestContext(ctx), request.orderId);
      return { order: orderToProto(order, timeline) };
    },
    async listOrders(request, ctx) {
      const page = await listOrders(deps, requestContext(ctx), {
        userId: request.userId,
        statuses: request.statuses.map(statusFromProto),
        pageSize: request.page?.pageSize ?? 0,
        pageToken: request.page?.pageToken ?? "",
      });
      return { orders: page.items.map(summaryToProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
    async cancelOrder(request, ctx) {
      const { order, timeline } = await cancelOrder(deps, requestContext(ctx), request.orderId, request.note);
      return { order: orderToProto(order, timeline) };
    },
  };
}
