import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { IntegrationEvent } from "../../core/kit/integration-event.ts";
import type { ProcessedEvents } from "../../core/kit/processed-events.ts";
import type { RetryPolicy } from "../../core/kit/retry-policy.ts";
import type { NotificationRequest } from "../../core/notifications/notification-types.ts";
import type { NotificationsDeps } from "../../core/notifications/notifications-deps.ts";
import { acceptNotification } from "../../core/notifications/notify.ts";
import { withLogFields } from "../../adapters/observability/log-context.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { Money } from "../../gen/shop/common/v1/money_pb.ts";
import { OrderCancelledSchema, OrderConfirmedSchema } from "../../gen/shop/events/v1/order_events_pb.ts";
import { PaymentFailedSchema, PaymentRefundedSchema } from "../../gen/shop/events/v1/payment_events_pb.ts";
import { OrderDeliveredSchema, OrderShippedSchema } from "../../gen/shop/events/v1/shipping_events_pb.ts";
import {
  EmailVerificationRequestedSchema,
  PasswordChangedSchema,
  PasswordResetPurpose,
  PasswordResetRequestedSchema,
} from "../../gen/shop/events/v1/user_events_pb.ts";

export const NOTIFICATION_SOURCE_TOPICS = ["user-events", "order-events", "payment-events", "shipping-events"] as const;
export const NOTIFICATIONS_CONSUMER_GROUP = "notifications";

/**
 * Every event that leads to a notification. Deliveries are unique per (tenant, event id,
 * channel), so a redelivered event (after a crash between handling and the processed mark, or a
 * rebalance) finds its deliveries and sends nothing. A handler failure (users unreachable) is
 * retried by the consumer, then dead-lettered on `<topic>.dlq`; send failures are not handler
 * failures: the delivery's own retries and dead letters take them.
 */
export function subscribeToNotificationSources(deps: {
  readonly consumer: EventConsumer;
  readonly processedEvents: ProcessedEvents;
  readonly notifications: NotificationsDeps;
  readonly logger: Logger;
  readonly retry?: RetryPolicy;
  /** Tests point these at topics and a group of their own. */
  readonly topics?: readonly string[];
  readonly group?: string;
}): Promise<RunningSubscription> {
  return deps.consumer.subscribe({
    group: deps.group ?? NOTIFICATIONS_CONSUMER_GROUP,
    topics: deps.topics ?? NOTIFICATION_SOURCE_TOPICS,
    processedEvents: deps.processedEvents,
    ...(deps.retry ? { retry: deps.retry } : {}),
    handler: (event, ctx) =>
      withLogFields({ tenant: ctx.tenantId, correlationId: ctx.correlationId, event: event.type }, async () => {
        const request = notificationRequestOf(event, {
          tenantId: ctx.tenantId,
          linkBaseUrl: deps.notifications.policy.linkBaseUrl,
        });
        if (!request) return;
        const deliveries = await acceptNotification(deps.notifications, ctx, { id: event.id, type: event.type }, request);
        deps.logger.info(
          { type: request.type, deliveries: deliveries.map((d) => ({ id: d.deliveryId, channel: d.channel, status: d.status })) },
          "notification accepted",
        );
      }),
    onOutcome: (outcome) => {
      if (outcome.kind === "retrying" || outcome.kind === "dead-lettered") {
        deps.logger.warn({ outcome: outcome.kind, event: outcome.event?.id }, "notification source event not handled");
      }
    },
  });
}

function decode<D extends DescMessage>(schema: D, event: IntegrationEvent): MessageShape<D> | undefined {
  return event.type === schema.typeName ? fromBinary(schema, event.payload) : undefined;
}

/** "EUR 12.50" style amounts (minor units, exact: no float arithmetic on money). */
export function formatMoney(money: Money | undefined): string {
  if (!money?.currencyCode) return "";
  let digits = 2;
  try {
    digits =
      new Intl.NumberFormat("en", { style: "currency", currency: money.currencyCode }).resolvedOptions().maximumFractionDigits ??
      2;
  } catch {
    digits = 2;
  }
  const minor = money.amountMinor < 0n ? -money.amountMinor : money.amountMinor;
  const text = minor.toString().padStart(digits + 1, "0");
  const units = digits ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  return `${money.amountMinor < 0n ? "-" : ""}${money.currencyCode} ${units}`;
}

const timeText = (t: Timestamp | undefined) => (t ? timestampDate(t).toISOString().replace(".000Z", "Z") : "");

/** The notification an event asks for, or undefined for events that ask for none. */
export function notificationRequestOf(
  event: IntegrationEvent,
  options: { tenantId: string; linkBaseUrl: string },
): NotificationRequest | undefined {
  const link = (path: string, token: string) =>
    `${options.linkBaseUrl.replace(/\/+$/, "")}/${path}?tenant=${encodeURIComponent(options.tenantId)}&token=${encodeURIComponent(token)}`;
  const verification = decode(EmailVerificationRequestedSchema, event);
  if (verification) {
    return {
      type: "email_verification",
      userId: verification.userId,
      email: verification.email,
      displayName: verification.displayName,
      locale: verification.locale,
      variables: {
        verification_token: verification.verificationToken,
        verification_url: link("verify-email", verification.verificationToken),
        expire_time: timeText(verification.tokenExpireTime),
      },
    };
  }
  const reset = decode(PasswordResetRequestedSchema, event);
  if (reset) {
    return {
      type: reset.purpose === PasswordResetPurpose.ADMIN_INVITATION ? "admin_invitation" : "password_reset",
      userId: reset.userId,
      email: reset.email,
      displayName: reset.displayName,
      locale: reset.locale,
      variables: {
        reset_token: reset.resetToken,
        reset_url: link("reset-password", reset.resetToken),
        expire_time: timeText(reset.tokenExpireTime),
      },
    };
  }
  const changed = decode(PasswordChangedSchema, event);
  if (changed) {
    return {
      type: "password_changed",
      userId: changed.userId,
      email: changed.email,
      variables: { sessions_revoked: changed.sessionsRevoked ? "yes" : "" },
    };
  }
  const confirmed = decode(OrderConfirmedSchema, event);
  if (confirmed) {
    return {
      type: "order_confirmed",
      userId: confirmed.userId,
      variables: {
        order_id: confirmed.orderId,
        order_total: formatMoney(confirmed.total),
        line_count: String(confirmed.lines.length),
      },
    };
  }
  const cancelled = decode(OrderCancelledSchema, event);
  if (cancelled) {
    return {
      type: "order_cancelled",
      userId: cancelled.userId,
      variables: {
        order_id: cancelled.orderId,
        order_total: formatMoney(cancelled.total),
        refund_due: cancelled.refundDue ? "yes" : "",
      },
    };
  }
  const failed = decode(PaymentFailedSchema, event);
  if (failed) {
    return {
      type: "payment_failed",
      userId: failed.userId,
      variables: { order_id: failed.orderId, amount: formatMoney(failed.amount), failure_code: failed.failureCode },
    };
  }
  const refunded = decode(PaymentRefundedSchema, event);
  if (refunded) {
    return {
      type: "payment_refunded",
      userId: refunded.userId,
      variables: { order_id: refunded.orderId, amount: formatMoney(refunded.amount) },
    };
  }
  const shipped = decode(OrderShippedSchema, event);
  if (shipped) {
    return {
      type: "order_shipped",
      userId: shipped.userId,
      variables: {
        order_id: shipped.orderId,
        carrier: shipped.carrier,
        tracking_number: shipped.trackingNumber,
        tracking_url: shipped.trackingUrl,
      },
    };
  }
  const delivered = decode(OrderDeliveredSchema, event);
  if (delivered) return { type: "order_delivered", userId: delivered.userId, variables: { order_id: delivered.orderId } };
  return undefined;
}
