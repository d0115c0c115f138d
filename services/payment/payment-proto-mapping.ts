import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { invalidField } from "../../core/kit/domain-error.ts";
import { type Money, money } from "../../core/kit/money.ts";
import {
  type FailureReason,
  type Payment,
  type PaymentStatus,
  type RefundReason,
  type RefundStatus,
  refundedAmount,
} from "../../core/payment/payment.ts";
import type { Money as ProtoMoney } from "../../gen/shop/common/v1/money_pb.ts";
import {
  type PaymentSchema,
  PaymentFailureReason as ProtoFailureReason,
  PaymentStatus as ProtoPaymentStatus,
  RefundReason as ProtoRefundReason,
  RefundStatus as ProtoRefundStatus,
} from "../../gen/shop/payment/v1/payment_pb.ts";

const STATUSES: Record<PaymentStatus, ProtoPaymentStatus> = {
  processing: ProtoPaymentStatus.PROCESSING,
  succeeded: ProtoPaymentStatus.SUCCEEDED,
  failed: ProtoPaymentStatus.FAILED,
  partially_refunded: ProtoPaymentStatus.PARTIALLY_REFUNDED,
  refunded: ProtoPaymentStatus.REFUNDED,
};
const FAILURE_REASONS: Record<FailureReason, ProtoFailureReason> = {
  declined: ProtoFailureReason.DECLINED,
  payment_method_invalid: ProtoFailureReason.PAYMENT_METHOD_INVALID,
  provider_unavailable: ProtoFailureReason.PROVIDER_UNAVAILABLE,
};
const REFUND_REASONS: Record<RefundReason, ProtoRefundReason> = {
  order_cancelled: ProtoRefundReason.ORDER_CANCELLED,
  customer_request: ProtoRefundReason.CUSTOMER_REQUEST,
  duplicate: ProtoRefundReason.DUPLICATE,
};
const REFUND_STATUSES: Record<RefundStatus, ProtoRefundStatus> = {
  pending: ProtoRefundStatus.PENDING,
  succeeded: ProtoRefundStatus.SUCCEEDED,
  failed: ProtoRefundStatus.FAILED,
};

function reverse<K extends string, V>(table: Record<K, V>, value: V, field: string): K {
  const found = (Object.entries(table) as [K, V][]).find(([, v]) => v === value);
  if (!found) throw invalidField(field, "is not a known value");
  return found[0];
}

export const refundReasonFromProto = (value: ProtoRefundReason) => reverse(REFUND_REASONS, value, "reason");
export function statusFromProto(value: ProtoPaymentStatus): PaymentStatus | undefined {
  return value === ProtoPaymentStatus.UNSPECIFIED ? undefined : reverse(STATUSES, value, "status");
}

export const moneyToProto = (m: Money) => ({ amountMinor: BigInt(m.amountMinor), currencyCode: m.currency });

export function moneyFromProto(m: ProtoMoney | undefined, field: string): Money {
  if (!m) throw invalidField(field, "required");
  if (m.amountMinor > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidField(`${field}.amount_minor`, "is too large");
  return money(Number(m.amountMinor), m.currencyCode, field);
}

export function paymentToProto(p: Payment): MessageInitShape<typeof PaymentSchema> {
  return {
    paymentId: p.id,
    orderId: p.orderId,
    userId: p.userId,
    status: STATUSES[p.status],
    amount: moneyToProto(p.amount),
    refundedAmount: moneyToProto(refundedAmount(p)),
    provider: p.provider,
    providerReference: p.providerReference ?? "",
    failureReason: p.failureReason ? FAILURE_REASONS[p.failureReason] : ProtoFailureReason.UNSPECIFIED,
    failureCode: p.failureCode ?? "",
    refunds: p.refunds.map((r) => ({
      refundId: r.id,
      amount: moneyToProto(r.amount),
      status: REFUND_STATUSES[r.status],
      reason: REFUND_REASONS[r.reason],
      providerReference: r.providerReference ?? "",
      createTime: timestampFromDate(r.createdAt),
    })),
    createTime: timestampFromDate(p.createdAt),
    updateTime: timestampFromDate(p.updatedAt),
  };
}
