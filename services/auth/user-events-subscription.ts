import type { SessionRepository } from "../../core/auth/session-repository.ts";
import { revokeSessionsOfDisabledUser } from "../../core/auth/user-disabled.ts";
import type { Clock } from "../../core/kit/clock.ts";
import type { EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { ProcessedEvents } from "../../core/kit/processed-events.ts";
import { withLogFields } from "../../adapters/observability/log-context.ts";
import { decodeEvent } from "../../adapters/protobuf/integration-event-encoding.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import { UserDisabledSchema } from "../../gen/shop/events/v1/user_events_pb.ts";
import { USER_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { USER_EVENTS_TOPIC };

export const AUTH_CONSUMER_GROUP = "auth";

/**
 * What auth does with the users context's events: UserDisabled ends the user's sessions. Other
 * event types are skipped. Deliveries are deduplicated by event id (the processed-events store),
 * and revoking is idempotent anyway.
 */
export function subscribeToUserEvents(deps: {
  readonly consumer: EventConsumer;
  readonly processedEvents: ProcessedEvents;
  readonly sessions: SessionRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Tests read their own topic under their own group. */
  readonly topic?: string;
  readonly group?: string;
}): Promise<RunningSubscription> {
  return deps.consumer.subscribe({
    group: deps.group ?? AUTH_CONSUMER_GROUP,
    topics: [deps.topic ?? USER_EVENTS_TOPIC],
    processedEvents: deps.processedEvents,
    handler: (event, ctx) =>
      withLogFields({ tenant: ctx.tenantId, correlationId: ctx.correlationId, event: event.type }, async () => {
        const disabled = decodeEvent(UserDisabledSchema, event);
        if (!disabled) return;
        const revoked = await revokeSessionsOfDisabledUser(deps, ctx, disabled.userId);
        deps.logger.info({ userId: disabled.userId, revoked }, "user disabled: sessions revoked");
      }),
    onOutcome: (outcome) => {
      if (outcome.kind === "retrying" || outcome.kind === "dead-lettered") {
        deps.logger.warn({ outcome: outcome.kind, event: outcome.event?.id }, "user event not handled");
      }
    },
  });
}
