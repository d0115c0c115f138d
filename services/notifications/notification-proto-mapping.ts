import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { DeadLetter, Delivery, DeliveryStatus } from "../../core/notifications/deliveries.ts";
import type { Channel, NotificationType } from "../../core/notifications/notification-types.ts";
import type { Template } from "../../core/notifications/templates.ts";
import {
  Channel as ProtoChannel,
  DeliveryStatus as ProtoStatus,
  NotificationType as ProtoType,
  TemplateSource,
} from "../../gen/shop/notifications/v1/notifications_pb.ts";

const TYPES: readonly [NotificationType, ProtoType][] = [
  ["email_verification", ProtoType.EMAIL_VERIFICATION],
  ["password_reset", ProtoType.PASSWORD_RESET],
  ["admin_invitation", ProtoType.ADMIN_INVITATION],
  ["password_changed", ProtoType.PASSWORD_CHANGED],
  ["order_confirmed", ProtoType.ORDER_CONFIRMED],
  ["order_cancelled", ProtoType.ORDER_CANCELLED],
  ["payment_failed", ProtoType.PAYMENT_FAILED],
  ["order_shipped", ProtoType.ORDER_SHIPPED],
  ["order_delivered", ProtoType.ORDER_DELIVERED],
  ["payment_refunded", ProtoType.PAYMENT_REFUNDED],
];
const STATUSES: readonly [DeliveryStatus, ProtoStatus][] = [
  ["pending", ProtoStatus.PENDING],
  ["retrying", ProtoStatus.RETRYING],
  ["sent", ProtoStatus.SENT],
  ["dead_lettered", ProtoStatus.DEAD_LETTERED],
  ["skipped_opted_out", ProtoStatus.SKIPPED_OPTED_OUT],
  ["skipped_no_contact", ProtoStatus.SKIPPED_NO_CONTACT],
];

export const typeToProto = (type: NotificationType): ProtoType => TYPES.find(([t]) => t === type)?.[1] ?? ProtoType.UNSPECIFIED;
/** UNSPECIFIED (and unknown numbers, which protovalidate refuses first) map to undefined. */
export const typeFromProto = (type: ProtoType): NotificationType | undefined => TYPES.find(([, p]) => p === type)?.[0];
export const channelToProto = (channel: Channel): ProtoChannel => (channel === "email" ? ProtoChannel.EMAIL : ProtoChannel.SMS);
export const channelFromProto = (channel: ProtoChannel): Channel | undefined =>
  channel === ProtoChannel.EMAIL ? "email" : channel === ProtoChannel.SMS ? "sms" : undefined;
export const statusToProto = (status: DeliveryStatus): ProtoStatus =>
  STATUSES.find(([s]) => s === status)?.[1] ?? ProtoStatus.UNSPECIFIED;
export const statusFromProto = (status: ProtoStatus): DeliveryStatus | undefined => STATUSES.find(([, p]) => p === status)?.[0];

export function templateToProto(t: Template) {
  return {
    type: typeToProto(t.type),
    channel: channelToProto(t.channel),
    locale: t.locale,
    subject: t.subject,
    bodyText: t.bodyText,
    bodyHtml: t.bodyHtml,
    source: t.source === "tenant" ? TemplateSource.TENANT : TemplateSource.BUILT_IN,
    version: BigInt(t.version),
    ...(t.updatedAt ? { updateTime: timestampFromDate(t.updatedAt) } : {}),
  };
}

export function deliveryToProto(d: Delivery) {
  return {
    deliveryId: d.deliveryId,
    sourceEventId: d.sourceEventId,
    sourceEventType: d.sourceEventType,
    type: typeToProto(d.type),
    channel: channelToProto(d.channel),
    userId: d.userId,
    recipientMasked: d.recipientMasked,
    status: statusToProto(d.status),
    attemptCount: d.attemptCount,
    lastError: d.lastError,
    providerMessageId: d.providerMessageId,
    createTime: timestampFromDate(d.createdAt),
    ...(d.sentAt ? { sendTime: timestampFromDate(d.sentAt) } : {}),
    ...(d.status === "retrying" && d.nextAttemptAt ? { nextAttemptTime: timestampFromDate(d.nextAttemptAt) } : {}),
  };
}

export function deadLetterToProto(dead: DeadLetter, failed: Delivery) {
  return {
    deadLetterId: dead.deadLetterId,
    failedDelivery: deliveryToProto(failed),
    failureReason: dead.failureReason,
    createTime: timestampFromDate(dead.createdAt),
    retryDeliveryId: dead.retryDeliveryId,
    ...(dead.retriedAt ? { retryTime: timestampFromDate(dead.retriedAt) } : {}),
  };
}
