import { abortableDelay } from "../../core/kit/abortable-delay.ts";
import type { TenantId } from "../../core/kit/request-context.ts";
import type { NotificationsDeps } from "../../core/notifications/notifications-deps.ts";
import { runDueDeliveries } from "../../core/notifications/notify.ts";
import type { Logger } from "../../adapters/observability/logger.ts";

export interface DeliveryWorker {
  stop(): Promise<void>;
}

/**
 * Attempts due deliveries every `intervalMs` (retries after a failure, and pending ones left by a
 * crash once their lease expired), at once again while a batch comes back full. Several
 * processes may run it: a delivery is claimed with a conditional update before each attempt.
 */
export function startDeliveryWorker(deps: NotificationsDeps, options: { intervalMs: number; logger: Logger }): DeliveryWorker {
  const stopping = new AbortController();
  const batch = 50;
  const loop = (async () => {
    let round = 0;
    while (!stopping.signal.aborted) {
      let attempted = 0;
      try {
        const correlationId = `notifications-retry-${++round}`;
        attempted = await runDueDeliveries(
          deps,
          (tenantId: TenantId) => ({ tenantId, caller: undefined, correlationId, signal: stopping.signal }),
          batch,
        );
        if (attempted > 0) options.logger.info({ attempted }, "due deliveries attempted");
      } catch (err) {
        options.logger.warn({ err }, "delivery retry round failed; trying again");
      }
      if (attempted < batch) await abortableDelay(options.intervalMs, stopping.signal);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
