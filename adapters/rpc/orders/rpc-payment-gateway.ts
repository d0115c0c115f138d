import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { DomainError, unavailable } from "../../../core/kit/domain-error.ts";
import type { RequestContext } from "../../../core/kit/request-context.ts";
import type { ChargeAnswer, PaymentGateway } from "../../../core/orders/payment-gateway.ts";
import {
  type Payment,
  PaymentFailureReason,
  PaymentService,
  PaymentStatus,
  RefundReason,
} from "../../../gen/shop/payment/v1/payment_pb.ts";
import { CORRELATION_HEADER, TENANT_HEADER } from "../call-context.ts";
import { ERROR_CODE_HEADER } from "../error-mapping.ts";

export interface RpcPaymentGatewayOptions {
  /** Deadline of one Charge or Refund call (the payment side resolves a provider timeout as PROCESSING). */
  readonly timeoutMs?: number;
}

/**
 * PaymentGateway over PaymentService (internal, gRPC in the mesh, in-process embedded), as a
 * service of the order's tenant (no user token), each call with a deadline. Charge answers map
 * SUCCEEDED (and a later refund state) to succeeded, FAILED to failed, PROCESSING to
 * processing. Refund looks the payment up by order id, then refunds everything that remains
 * under the given idempotency key. FAILED_PRECONDITION passes through (the worker tries again
 * later); anything else is UNAVAILABLE `ORDER.PAYMENT_UNAVAILABLE`.
 */
export function createRpcPaymentGateway(transport: Transport, options: RpcPaymentGatewayOptions = {}): PaymentGateway {
  const client = createClient(PaymentService, transport);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const callOptions = (ctx: RequestContext) => ({
    headers: { [TENANT_HEADER]: ctx.tenantId, [CORRELATION_HEADER]: ctx.correlationId },
    signal: ctx.signal,
    timeoutMs,
  });
  return {
    async charge(ctx, request): Promise<ChargeAnswer> {
      try {
        const { payment } = await client.charge(
          {
            orderId: request.orderId,
            userId: request.userId,
            amount: { amountMinor: BigInt(request.amount.amountMinor), currencyCode: request.amount.currency },
            paymentMethodToken: request.paymentMethodToken,
          },
          callOptions(ctx),
        );
        return answerOf(payment);
      } catch (error) {
        throw failureOf(error);
      }
    },
    async refund(ctx, request) {
      try {
        const { payment } = await client.getPayment({ lookup: { case: "orderId", value: request.orderId } }, callOptions(ctx));
        if (!payment) throw unavailable("ORDER.PAYMENT_UNAVAILABLE", "payment answered without a payment");
        if (payment.status === PaymentStatus.REFUNDED) return { paymentId: payment.paymentId };
        const refunded = await client.refund(
          { paymentId: payment.paymentId, reason: RefundReason.ORDER_CANCELLED, idempotencyKey: request.idempotencyKey },
          callOptions(ctx),
        );
        return { paymentId: refunded.payment?.paymentId ?? payment.paymentId };
      } catch (error) {
        throw failureOf(error);
      }
    },
  };
}

const FAILURE_REASONS: Partial<Record<PaymentFailureReason, string>> = {
  [PaymentFailureReason.DECLINED]: "declined",
  [PaymentFailureReason.PAYMENT_METHOD_INVALID]: "payment method invalid",
  [PaymentFailureReason.PROVIDER_UNAVAILABLE]: "provider unavailable",
};

function answerOf(payment: Payment | undefined): ChargeAnswer {
  if (!payment) throw unavailable("ORDER.PAYMENT_UNAVAILABLE", "payment answered without a payment");
  switch (payment.status) {
    case PaymentStatus.PROCESSING:
      return { outcome: "processing", paymentId: payment.paymentId, detail: "" };
    case PaymentStatus.FAILED:
      return {
        outcome: "failed",
        paymentId: payment.paymentId,
        detail: [FAILURE_REASONS[payment.failureReason] ?? "failed", payment.failureCode].filter(Boolean).join(": "),
      };
    default:
      return { outcome: "succeeded", paymentId: payment.paymentId, detail: "" };
  }
}

function failureOf(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  const failure = ConnectError.from(error);
  if (failure.code === Code.FailedPrecondition || failure.code === Code.NotFound) {
    const kind = failure.code === Code.NotFound ? "not_found" : "failed_precondition";
    return new DomainError(kind, failure.metadata.get(ERROR_CODE_HEADER) ?? "PAYMENT.REFUSED", failure.rawMessage, {
      cause: failure,
    });
  }
  return unavailable("ORDER.PAYMENT_UNAVAILABLE", "the payment service cannot answer", failure);
}
