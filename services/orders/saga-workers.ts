import { abortableDelay } from "../../core/kit/abortable-delay.ts";
import type { OrderDeps } from "../../core/orders/order-deps.ts";
import { expireOverdueSagas, runPaymentWork } from "../../core/orders/order-saga-steps.ts";
import type { Logger } from "../../adapters/observability/logger.ts";

export interface SagaWorkers {
  stop(): Promise<void>;
}

/**
 * Two loops every `intervalMs` (at once again while a batch comes back full): the payment
 * worker (charges, asks about unsettled charges, refunds; each call outside any transaction,
 * under a lease on the order) and the deadline sweeper (TIMED_OUT compensation). Several
 * processes may run them: leases and row locks keep each call and each timeout single.
 */
export function startSagaWorkers(deps: OrderDeps, options: { intervalMs: number; logger: Logger }): SagaWorkers {
  const stopping = new AbortController();
  const batch = 50;
  const loop = (name: string, round: (n: number) => Promise<number>) =>
    (async () => {
      let n = 0;
      while (!stopping.signal.aborted) {
        let done = 0;
        try {
          done = await round(++n);
          if (done > 0) options.logger.debug({ done, worker: name }, "saga work done");
        } catch (err) {
          options.logger.warn({ err, worker: name }, "saga worker round failed; trying again");
        }
        if (done < batch) await abortableDelay(options.intervalMs, stopping.signal);
      }
    })();
  const payments = loop("payment", (n) =>
    runPaymentWork(deps, {
      limit: batch,
      correlationId: `orders-payment-${n}`,
      signal: stopping.signal,
      onError: (err, orderId) => options.logger.warn({ err, orderId }, "payment call failed; asking again after the lease"),
    }),
  );
  const deadlines = loop("deadline", (n) =>
    expireOverdueSagas(deps, { limit: batch, correlationId: `orders-deadline-${n}`, signal: stopping.signal }),
  );
  return {
    async stop() {
      stopping.abort();
      await Promise.all([payments, deadlines]);
    },
  };
}
