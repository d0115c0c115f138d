import type { EventMapper } from "../../core/kit/event-mapper.ts";
import type { FailureReason } from "../../core/payment/payment.ts";
import { refundedAmount } from "../../core/payment/payment.ts";
import type { PaymentEvent } from "../../core/payment/payment-events.ts";
import { encodeEvent } from "../../adapters/protobuf/integration-event-encoding.ts";
import {
  PaymentFailedSchema,
  PaymentFailureCause,
  PaymentRefundedSchema,
  PaymentSucceededSchema,
} from "../../gen/shop/events/v1/payment_events_pb.ts";
import { moneyToProto } from "./payment-proto-mapping.ts";
import { PAYMENT_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { PAYMENT_EVENTS_TOPIC };

const CAUSES: Record<FailureReason, PaymentFailureCause> = {
  declined: PaymentFailureCause.DECLINED,
  payment_method_invalid: PaymentFailureCause.PAYMENT_METHOD_INVALID,
  provider_unavailable: PaymentFailureCause.PROVIDER_UNAVAILABLE,
};

/** Keyed by payment id (one payment per order), under the call's tenant. No card data: tokens never leave the table. */
export const paymentEventMapper: EventMapper<PaymentEvent> = (event, ctx) => {
  const scope = { tenantId: ctx.tenantId, correlationId: ctx.correlationId };
  const p = event.payment;
  const meta = { topic: PAYMENT_EVENTS_TOPIC, key: p.id, occurredAt: p.updatedAt };
  switch (event.type) {
    case "PaymentSucceeded":
      return encodeEvent(
        PaymentSucceededSchema,
        {
          paymentId: p.id,
          orderId: p.orderId,
          userId: p.userId,
          amount: moneyToProto(p.amount),
          provider: p.provider,
          providerReference: p.providerReference ?? "",
        },
        meta,
        scope,
      );
    case "PaymentFailed":
      return encodeEvent(
        PaymentFailedSchema,
        {
          paymentId: p.id,
          orderId: p.orderId,
          userId: p.userId,
          amount: moneyToProto(p.amount),
          cause: p.failureReason ? CAUSES[p.failureReason] : PaymentFailureCause.UNSPECIFIED,
          failureCode: p.failureCode ?? "",
        },
        meta,
        scope,
      );
    case "PaymentRefunded": {
      const refunded = refundedAmount(p);
      return encodeEvent(
        PaymentRefundedSchema,
        {
          paymentId: p.id,
          orderId: p.orderId,
          userId: p.userId,
          refundId: event.refund.id,
          amount: moneyToProto(event.refund.amount),
          refundedTotal: moneyToProto(refunded),
          fullyRefunded: refunded.amountMinor >= p.amount.amountMinor,
        },
        meta,
        scope,
      );
    }
  }
};
