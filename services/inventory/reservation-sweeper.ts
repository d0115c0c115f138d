import { abortableDelay } from "../../core/kit/abortable-delay.ts";
import type { InventoryDeps } from "../../core/inventory/inventory-deps.ts";
import { expireDueReservations } from "../../core/inventory/reservations.ts";
import type { Logger } from "../../adapters/observability/logger.ts";

export interface ReservationSweeper {
  stop(): Promise<void>;
}

/**
 * Expires reservations past their hold every `intervalMs` (in batches of 100, at once again
 * while a batch comes back full). Several processes may sweep: each expiry re-decides under the
 * reservation's row lock, so a reservation expires once.
 */
export function startReservationSweeper(
  deps: InventoryDeps,
  options: { intervalMs: number; logger: Logger },
): ReservationSweeper {
  const stopping = new AbortController();
  const batch = 100;
  const loop = (async () => {
    let round = 0;
    while (!stopping.signal.aborted) {
      let expired = 0;
      try {
        expired = await expireDueReservations(deps, {
          limit: batch,
          correlationId: `inventory-sweep-${++round}`,
          signal: stopping.signal,
        });
        if (expired > 0) options.logger.info({ expired }, "reservations expired");
      } catch (err) {
        options.logger.warn({ err }, "reservation sweep failed; trying again");
      }
      if (expired < batch) await abortableDelay(options.intervalMs, stopping.signal);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
