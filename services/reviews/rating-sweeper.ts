import { abortableDelay } from "../../core/kit/abortable-delay.ts";
import { recountMarkedRatings } from "../../core/reviews/rating-refresh.ts";
import type { ReviewsDeps } from "../../core/reviews/reviews-deps.ts";
import type { Logger } from "../../adapters/observability/logger.ts";

export interface RatingSweepOptions {
  /** Pause between sweeps. */
  readonly intervalMs: number;
  /** A mark younger than this is left to the request that wrote it (its own recount is likely still running). */
  readonly graceMs: number;
}

export const DEFAULT_RATING_SWEEP: RatingSweepOptions = { intervalMs: 5_000, graceMs: 10_000 };

/**
 * Finishes the rating recounts that a crash (or a failed recount) left behind: every
 * `intervalMs`, the products of rating marks older than `graceMs` are recounted and the marks
 * cleared (in batches of 100, at once again while a batch comes back full). Several processes
 * may sweep: a recount is a compare-and-set on the rating's version and changes nothing when
 * the count did not move.
 */
export function startRatingSweeper(
  deps: Pick<ReviewsDeps, "reviews" | "ratings" | "clock">,
  options: RatingSweepOptions & { readonly logger: Logger },
): { stop(): Promise<void> } {
  const stopping = new AbortController();
  const batch = 100;
  const loop = (async () => {
    let round = 0;
    while (!stopping.signal.aborted) {
      let cleared = 0;
      try {
        cleared = await recountMarkedRatings(deps, {
          before: new Date(deps.clock.now().getTime() - options.graceMs),
          limit: batch,
          correlationId: `reviews-rating-sweep-${++round}`,
          signal: stopping.signal,
        });
        if (cleared > 0) options.logger.info({ cleared }, "ratings recounted for marks left behind");
      } catch (err) {
        options.logger.warn({ err }, "rating sweep failed; trying again");
      }
      if (cleared < batch) await abortableDelay(options.intervalMs, stopping.signal);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
