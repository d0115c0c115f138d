import { fromBinary } from "@bufbuild/protobuf";
import { inviteFirstAdmin } from "../../core/users/admin-invitation.ts";
import type { UsersDeps } from "../../core/users/users-deps.ts";
import type { EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { ProcessedEvents } from "../../core/kit/processed-events.ts";
import { withLogFields } from "../../adapters/observability/log-context.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import { TenantCreatedSchema } from "../../gen/shop/events/v1/tenant_events_pb.ts";
import { TENANT_EVENTS_TOPIC } from "../runtime/event-topics.ts";
export { TENANT_EVENTS_TOPIC };

export const USERS_CONSUMER_GROUP = "users";

/**
 * What users does with `tenant-events`: a TenantCreated that names a first admin makes that
 * person the tenant's first admin, with a first-password link. Other event types are skipped.
 * Deliveries are deduplicated by event id, and the invitation is idempotent anyway.
 */
export function subscribeToTenantEvents(deps: {
  readonly consumer: EventConsumer;
  readonly processedEvents: ProcessedEvents;
  readonly users: UsersDeps;
  readonly logger: Logger;
}): Promise<RunningSubscription> {
  return deps.consumer.subscribe({
    group: USERS_CONSUMER_GROUP,
    topics: [TENANT_EVENTS_TOPIC],
    processedEvents: deps.processedEvents,
    handler: (event, ctx) =>
      withLogFields({ tenant: ctx.tenantId, correlationId: ctx.correlationId, event: event.type }, async () => {
        if (event.type !== TenantCreatedSchema.typeName) return;
        const { firstAdminEmail } = fromBinary(TenantCreatedSchema, event.payload);
        if (!firstAdminEmail) return;
        await inviteFirstAdmin(deps.users, ctx, firstAdminEmail);
        deps.logger.info("first tenant admin invited");
      }),
    onOutcome: (outcome) => {
      if (outcome.kind === "retrying" || outcome.kind === "dead-lettered") {
        deps.logger.warn({ outcome: outcome.kind, event: outcome.event?.id }, "tenant event not handled");
      }
    },
  });
}
