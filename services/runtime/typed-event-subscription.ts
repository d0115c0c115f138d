import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import type { DeliveryContext, EventConsumer, RunningSubscription } from "../../core/kit/event-consumer.ts";
import type { ProcessedEvents } from "../../core/kit/processed-events.ts";
import { withLogFields } from "../../adapters/observability/log-context.ts";
import type { Logger } from "../../adapters/observability/logger.ts";

/** What a subscriber is given; tests name a topic and group of their own, the defaults otherwise. */
export interface EventSubscriberDeps {
  readonly consumer: EventConsumer;
  readonly processedEvents: ProcessedEvents;
  readonly logger: Logger;
  readonly topic?: string;
  readonly group?: string;
}

/** What one event type does: its payload decoded with `schema`, then `handle`d. */
export interface TypedEventHandler {
  readonly typeName: string;
  readonly handle: (payload: Uint8Array, ctx: DeliveryContext) => Promise<void>;
}

/** The handler of the events whose type name is `schema.typeName`, given the decoded message. */
export function onEvent<D extends DescMessage>(
  schema: D,
  handle: (message: MessageShape<D>, ctx: DeliveryContext) => Promise<void>,
): TypedEventHandler {
  return { typeName: schema.typeName, handle: (payload, ctx) => handle(fromBinary(schema, payload), ctx) };
}

/**
 * A subscription that dispatches each event by its type name to one of `handlers` (others are
 * handled by doing nothing), inside the delivery's log fields (tenant, correlation id, event type),
 * and logs a warning `<subject> not handled` when a delivery is retried or dead-lettered.
 * Deliveries are deduplicated by event id through `processedEvents`.
 */
export function subscribeByEventType(
  deps: EventSubscriberDeps,
  subscription: {
    /** The group and topic used unless `deps` names its own. */
    readonly group: string;
    readonly topic: string;
    readonly handlers: readonly TypedEventHandler[];
    /** What the warning calls the event, e.g. "order event". */
    readonly subject: string;
  },
): Promise<RunningSubscription> {
  const byType = new Map(subscription.handlers.map((handler) => [handler.typeName, handler] as const));
  return deps.consumer.subscribe({
    group: deps.group ?? subscription.group,
    topics: [deps.topic ?? subscription.topic],
    processedEvents: deps.processedEvents,
    handler: (event, ctx) =>
      withLogFields({ tenant: ctx.tenantId, correlationId: ctx.correlationId, event: event.type }, async () => {
        await byType.get(event.type)?.handle(event.payload, ctx);
      }),
    onOutcome: (outcome) => {
      if (outcome.kind === "retrying" || outcome.kind === "dead-lettered") {
        deps.logger.warn({ outcome: outcome.kind, event: outcome.event?.id }, `${subscription.subject} not handled`);
      }
    },
  });
}
