import { abortableDelay } from "../../core/kit/abortable-delay.ts";
import type { PaymentDeps } from "../../core/payment/payment-deps.ts";
import { resolveUnresolved } from "../../core/payment/payments.ts";
import type { Logger } from "../../adapters/observability/logger.ts";

export interface PaymentResolver {
  stop(): Promise<void>;
}

/**
 * Every `intervalMs`, asks the provider about payments left PROCESSING (a timeout, a crash
 * between the provider call and the update) and settles them, in batches of 50. Several
 * processes may run it: each payment is leased to one resolver at a time.
 */
export function startPaymentResolver(deps: PaymentDeps, options: { intervalMs: number; logger: Logger }): PaymentResolver {
  const stopping = new AbortController();
  const batch = 50;
  const loop = (async () => {
    let round = 0;
    while (!stopping.signal.aborted) {
      let settled = 0;
      try {
        settled = await resolveUnresolved(deps, {
          limit: batch,
          correlationId: `payment-resolve-${++round}`,
          signal: stopping.signal,
        });
        if (settled > 0) options.logger.info({ settled }, "processing payments resolved");
      } catch (err) {
        options.logger.warn({ err }, "payment resolution failed; trying again");
      }
      await abortableDelay(options.intervalMs, stopping.signal);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
