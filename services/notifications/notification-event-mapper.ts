import type { EventMapper } from "../../core/kit/event-mapper.ts";
import type { NotificationEvent } from "../../core/notifications/notification-events.ts";
import { encodeEvent } from "../../adapters/protobuf/integration-event-encoding.ts";
import { NotificationFailedSchema, NotificationSentSchema } from "../../gen/shop/events/v1/notification_events_pb.ts";
import { NOTIFICATION_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { NOTIFICATION_EVENTS_TOPIC };

/** NotificationSent / NotificationFailed, keyed by delivery id: no content, no address. */
export const notificationEventMapper: EventMapper<NotificationEvent> = (event, ctx) => {
  const d = event.delivery;
  const scope = { tenantId: ctx.tenantId, correlationId: ctx.correlationId };
  const route = { topic: NOTIFICATION_EVENTS_TOPIC, key: d.deliveryId, occurredAt: d.sentAt ?? new Date() };
  const common = {
    deliveryId: d.deliveryId,
    sourceEventId: d.sourceEventId,
    notificationType: d.type.toUpperCase(),
    channel: d.channel.toUpperCase(),
    userId: d.userId,
  };
  if (event.type === "NotificationSent") return encodeEvent(NotificationSentSchema, common, route, scope);
  return encodeEvent(
    NotificationFailedSchema,
    { ...common, attemptCount: d.attemptCount, error: event.error, deadLettered: event.deadLettered },
    route,
    scope,
  );
};
