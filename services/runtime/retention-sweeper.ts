import { abortableDelay } from "../../core/kit/abortable-delay.ts";
import type { Clock } from "../../core/kit/clock.ts";
import { type RetentionTarget, sweepExpired } from "../../core/kit/retention.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { BackgroundTask } from "./relational-context.ts";
import type { RetentionSettings } from "./retention-config.ts";

/**
 * Sweeps a context's expired records every `intervalMs` (each kind in batches, at once again
 * while a batch comes back full) until stopped, and logs what went. Replicas may all run one:
 * every delete re-checks its rows, and the first sweep waits a random half to whole interval so
 * that replicas started together do not sweep together. A failed kind is logged and tried again
 * at the next sweep.
 */
export function startRetentionSweeper(options: {
  readonly context: string;
  readonly targets: readonly RetentionTarget[];
  readonly clock: Clock;
  readonly settings: Pick<RetentionSettings, "intervalMs" | "batchSize">;
  readonly logger: Logger;
  /** Tests: when the first sweep runs (default: random, half to whole an interval). */
  readonly firstDelayMs?: number;
}): BackgroundTask {
  const { context, targets, clock, settings, logger } = options;
  const stopping = new AbortController();
  const loop = (async () => {
    await abortableDelay(options.firstDelayMs ?? settings.intervalMs * (0.5 + Math.random() / 2), stopping.signal);
    while (!stopping.signal.aborted) {
      const startedAt = Date.now();
      const deleted = await sweepExpired(targets, {
        now: clock.now(),
        batchSize: settings.batchSize,
        signal: stopping.signal,
        onError: (kind, err) => logger.warn({ err, context, kind }, "retention sweep failed; trying again next sweep"),
      });
      const total = Object.values(deleted).reduce((sum, n) => sum + n, 0);
      if (total > 0) logger.info({ context, deleted, ms: Date.now() - startedAt }, "expired records deleted");
      await abortableDelay(settings.intervalMs, stopping.signal);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
