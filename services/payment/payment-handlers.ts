import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { unauthenticated } from "../../core/kit/domain-error.ts";
import type { RequestContext } from "../../core/kit/request-context.ts";
import type { PaymentDeps } from "../../core/payment/payment-deps.ts";
import { charge, getPayment, listPayments, refund } from "../../core/payment/payments.ts";
import { requestContext } from "../../adapters/rpc/call-context.ts";
import type { PaymentService } from "../../gen/shop/payment/v1/payment_pb.ts";
import { moneyFromProto, paymentToProto, refundReasonFromProto, statusFromProto } from "./payment-proto-mapping.ts";

/** Methods for other services only (the orders saga): served over gRPC, never to browsers. */
export const PAYMENT_INTERNAL_METHODS = ["Charge"] as const;

/**
 * An anonymous call is taken for a service only when it comes over gRPC (the mesh admits
 * internal callers there) or from another context in the same process (the embedded mode's
 * router transport, `https://in-memory`); over HTTP/1.1 (browsers) a payment RPC needs a token.
 */
function paymentContext(ctx: HandlerContext): RequestContext {
  const rc = requestContext(ctx);
  if (!rc.caller && ctx.protocolName !== "grpc" && !ctx.url.startsWith(IN_PROCESS_URL)) throw unauthenticated();
  return rc;
}

const IN_PROCESS_URL = "https://in-memory/";

/** PaymentService: proto in, core use case, proto out. The tenant comes from the call, never from the body. */
export function paymentHandlers(deps: PaymentDeps): ServiceImpl<typeof PaymentService> {
  return {
    async charge(request, ctx) {
      const payment = await charge(deps, paymentContext(ctx), {
        orderId: request.orderId,
        userId: request.userId,
        amount: moneyFromProto(request.amount, "amount"),
        paymentMethodToken: request.paymentMethodToken,
      });
      return { payment: paymentToProto(payment) };
    },
    async refund(request, ctx) {
      const payment = await refund(deps, paymentContext(ctx), {
        paymentId: request.paymentId,
        amount: request.amount ? moneyFromProto(request.amount, "amount") : undefined,
        reason: refundReasonFromProto(request.reason),
        idempotencyKey: request.idempotencyKey,
      });
      return { payment: paymentToProto(payment) };
    },
    async getPayment(request, ctx) {
      const rc = paymentContext(ctx);
      const payment =
        request.lookup.case === "paymentId"
          ? await getPayment(deps, rc, { paymentId: request.lookup.value })
          : await getPayment(deps, rc, { orderId: request.lookup.value ?? "" });
      return { payment: paymentToProto(payment) };
    },
    async listPayments(request, ctx) {
      const page = await listPayments(deps, paymentContext(ctx), {
        ...(statusFromProto(request.status) ? { status: statusFromProto(request.status) } : {}),
        pageSize: request.page?.pageSize ?? 0,
        pageToken: request.page?.pageToken ?? "",
      });
      return { payments: page.items.map(paymentToProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
  };
}
