import { abortableDelay } from "../../core/kit/abortable-delay.ts";
import type { OrderDeps } from "../../core/orders/order-deps.ts";
import { attemptPaymentWork, expireOverdueSagas, runPaymentWork } from "../../core/orders/order-saga-steps.ts";
import type { OrderRef } from "../../core/orders/order-store.ts";
import type { Logger } from "../../adapters/observability/logger.ts";

export interface SagaWorkers {
  /**
   * Makes the payment call of one order now (`attemptPaymentWork`: lease first), without
   * waiting for the next poll. Called right after the commit that made the order due (wire it
   * as `OrderDeps.paymentWorkDue`). Never throws, never waits. A nudge for an order whose nudged
   * attempt is still running makes one more attempt after it; beyond `maxNudgesInFlight` orders,
   * or once stopping, nudges are dropped and the poll finds the orders.
   */
  nudge(ref: OrderRef): void;
  stop(): Promise<void>;
}

/**
 * Two loops every `intervalMs` (at once again while a batch comes back full): the payment
 * worker (charges, asks about unsettled charges, refunds; each call outside any transaction,
 * under a lease on the order) and the deadline sweeper (TIMED_OUT compensation); plus `nudge`,
 * the immediate attempt for one order. Several processes may run them, and a poll and a nudge
 * may race for one order: leases and row locks keep each call and each timeout single, and
 * payment's idempotency on the order id covers a call whose lease lapsed while it ran.
 */
export function startSagaWorkers(
  deps: OrderDeps,
  options: { intervalMs: number; logger: Logger; maxNudgesInFlight?: number },
): SagaWorkers {
  const stopping = new AbortController();
  const batch = 50;
  const maxNudges = options.maxNudgesInFlight ?? 64;
  const onError = (err: unknown, orderId: string) =>
    options.logger.warn({ err, orderId }, "payment call failed; asking again after the lease");
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
    runPaymentWork(deps, { limit: batch, correlationId: `orders-payment-${n}`, signal: stopping.signal, onError }),
  );
  const deadlines = loop("deadline", (n) =>
    expireOverdueSagas(deps, { limit: batch, correlationId: `orders-deadline-${n}`, signal: stopping.signal }),
  );

  // Nudged orders with an attempt running; `again`: nudged once more meanwhile.
  const nudged = new Map<string, { again: boolean }>();
  const nudgesRunning = new Set<Promise<void>>();
  let nudges = 0;
  const nudge = (ref: OrderRef) => {
    if (stopping.signal.aborted) return;
    const key = `${ref.tenantId}/${ref.orderId}`;
    const running = nudged.get(key);
    if (running) {
      running.again = true;
      return;
    }
    if (nudged.size >= maxNudges) return; // the poll finds it
    const entry = { again: true };
    nudged.set(key, entry);
    const n = ++nudges;
    const attempt = (async () => {
      try {
        while (entry.again && !stopping.signal.aborted) {
          entry.again = false;
          await attemptPaymentWork(deps, ref, { correlationId: `orders-nudge-${n}`, signal: stopping.signal, onError });
        }
      } catch (err) {
        // The lease transaction failed (database away): the poll tries again.
        options.logger.warn({ err, orderId: ref.orderId }, "nudged payment work failed; the poll will retry");
      } finally {
        nudged.delete(key);
      }
    })();
    nudgesRunning.add(attempt);
    void attempt.finally(() => nudgesRunning.delete(attempt));
  };
  return {
    nudge,
    async stop() {
      stopping.abort();
      await Promise.all([payments, deadlines, ...nudgesRunning]);
    },
  };
}
