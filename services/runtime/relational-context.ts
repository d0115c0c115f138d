import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import { mikroOrmHealthProbe } from "../../adapters/mikro-orm/mikro-orm-health-probe.ts";
import { startOutboxRelay, type OutboxRelay } from "../../adapters/mikro-orm/mikro-orm-outbox-relay.ts";
import type { SqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { ServiceHandlers } from "../../adapters/rpc/service-handlers.ts";
import type { ContextModule } from "./context-module.ts";

/** A consumer, worker or sweeper a context runs beside its handlers. */
export interface BackgroundTask {
  stop(): Promise<void>;
}

/**
 * The module shape every context on a SQL database shares: its handlers, a probe on its
 * database, and the outbox relay that publishes what its transactions wrote (at once after each
 * commit through `db.em` that appended to the outbox; its 200 ms poll finds the rest), then its
 * `background` tasks (consumers, workers) once the relay runs. Stopping stops the background
 * tasks in the order they are listed, then the relay (after the batch in flight), then closes
 * the database.
 */
export function relationalContextModule(options: {
  readonly name: string;
  readonly db: SqlDatabase;
  readonly publisher: EventPublisher;
  readonly handlers: readonly ServiceHandlers[];
  readonly logger: Logger;
  /** Started after the relay, in order. */
  readonly background?: () => Promise<readonly BackgroundTask[]>;
}): ContextModule {
  let relay: OutboxRelay | undefined;
  let background: readonly BackgroundTask[] = [];
  return {
    name: options.name,
    handlers: options.handlers,
    probes: [mikroOrmHealthProbe(`${options.name}-database`, options.db.em)],
    async start() {
      relay = await startOutboxRelay({
        em: options.db.em,
        publisher: options.publisher,
        onError: (err, retryInMs) => options.logger.warn({ err, retryInMs, context: options.name }, "outbox relay retrying"),
      });
      background = (await options.background?.()) ?? [];
    },
    async stop() {
      for (const task of background) await task.stop();
      await relay?.stop();
      await options.db.close();
    },
  };
}
