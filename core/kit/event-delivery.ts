import { abortableDelay } from "./abortable-delay.ts";
import type { Subscription } from "./event-consumer.ts";
import type { IntegrationEvent } from "./integration-event.ts";
import { parseTenantId, type TenantId } from "./request-context.ts";
import { defaultRetryPolicy, retryDelayMs } from "./retry-policy.ts";

/** What the transport does next: commit ("handled", "duplicate"), park then commit, or leave uncommitted. */
export type DeliveryResult =
  | { readonly kind: "handled" }
  | { readonly kind: "duplicate" }
  | { readonly kind: "dead-letter"; readonly attempts: number; readonly reason: string }
  | { readonly kind: "abandoned" };

export interface DeliveryControls {
  /** Aborts when the subscription stops: no new attempt starts, the event stays uncommitted. */
  readonly stopping: AbortSignal;
  /** Called while waiting between attempts (Kafka: heartbeat, so the group keeps the member). */
  readonly whileWaiting?: () => Promise<void>;
}

/** One event through one group's handler: dedupe, attempts with backoff, then the verdict. */
export async function deliverEvent(
  event: IntegrationEvent,
  subscription: Subscription,
  controls: DeliveryControls,
): Promise<DeliveryResult> {
  const { group, handler, processedEvents, onOutcome } = subscription;
  const policy = subscription.retry ?? defaultRetryPolicy;
  let tenantId: TenantId;
  try {
    tenantId = parseTenantId(event.tenantId);
  } catch (error) {
    // No attempt could ever succeed: park it at once.
    const reason = describe(error);
    onOutcome?.({ kind: "dead-lettered", event, attempts: 0, reason });
    return { kind: "dead-letter", attempts: 0, reason };
  }
  if (await processedEvents.isProcessed(group, event.id)) {
    onOutcome?.({ kind: "duplicate", event });
    return { kind: "duplicate" };
  }
  for (let attempt = 1; ; attempt++) {
    if (controls.stopping.aborted) return { kind: "abandoned" };
    try {
      await handler(event, {
        tenantId,
        caller: undefined,
        correlationId: event.correlationId,
        signal: noDeadline,
        consumerGroup: group,
        attempt,
      });
      await processedEvents.markProcessed(group, event.id);
      onOutcome?.({ kind: "handled", event, attempts: attempt });
      return { kind: "handled" };
    } catch (error) {
      if (attempt >= policy.maxAttempts) {
        const reason = describe(error);
        onOutcome?.({ kind: "dead-lettered", event, attempts: attempt, reason });
        return { kind: "dead-letter", attempts: attempt, reason };
      }
      const delayMs = retryDelayMs(policy, attempt);
      onOutcome?.({ kind: "retrying", event, attempt, delayMs, error });
      await abortableDelay(delayMs, controls.stopping);
      await controls.whileWaiting?.();
    }
  }
}

/** A delivery has no deadline: stop() lets the attempt in flight finish. */
const noDeadline = new AbortController().signal;

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
