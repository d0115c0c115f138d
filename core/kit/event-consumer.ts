import type { IntegrationEvent } from "./integration-event.ts";
import type { ProcessedEvents } from "./processed-events.ts";
import type { RequestContext } from "./request-context.ts";
import type { RetryPolicy } from "./retry-policy.ts";

/** The request context of one delivery: tenant and correlation id come from the event. */
export interface DeliveryContext extends RequestContext {
  readonly consumerGroup: string;
  /** 1 on the first delivery attempt, counting retries after a failure. */
  readonly attempt: number;
}

/** Resolving means "handled": the offset moves on. Throwing means "retry, then dead-letter". */
export type EventHandler = (event: IntegrationEvent, ctx: DeliveryContext) => Promise<void>;

export interface Subscription {
  /** Consumers in one group share the work; every group sees every event. */
  readonly group: string;
  readonly topics: readonly string[];
  readonly handler: EventHandler;
  /** Where this group records the events it has handled (skipped when delivered again). */
  readonly processedEvents: ProcessedEvents;
  readonly retry?: RetryPolicy;
  /** Told about every delivery outcome, e.g. for logs and metrics; must not throw. */
  readonly onOutcome?: (outcome: DeliveryOutcome) => void;
}

export type DeliveryOutcome =
  | { readonly kind: "handled"; readonly event: IntegrationEvent; readonly attempts: number }
  | { readonly kind: "duplicate"; readonly event: IntegrationEvent }
  | {
      readonly kind: "retrying";
      readonly event: IntegrationEvent;
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: unknown;
    }
  | {
      readonly kind: "dead-lettered";
      /** Undefined when the message was not a readable event at all. */
      readonly event: IntegrationEvent | undefined;
      readonly attempts: number;
      readonly reason: string;
    };

/**
 * Delivers events at least once, in order per (tenant, key), to one handler per group.
 * A handler that keeps failing has its event parked on a dead-letter store after
 * `retry.maxAttempts` attempts, and the group moves on.
 */
export interface EventConsumer {
  /** Resolves once the subscription is live. */
  subscribe(subscription: Subscription): Promise<RunningSubscription>;
}

export interface RunningSubscription {
  /** Lets the handler in flight finish (no new attempt starts), then leaves; unhandled events are redelivered later. */
  stop(): Promise<void>;
}
