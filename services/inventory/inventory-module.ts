import type { Clock } from "../../core/kit/clock.ts";
import type { EventConsumer } from "../../core/kit/event-consumer.ts";
import type { EventPublisher } from "../../core/kit/event-publisher.ts";
import { randomId } from "../../core/kit/ids.ts";
import type { AvailabilityCache } from "../../core/inventory/availability-cache.ts";
import { DEFAULT_INVENTORY_POLICY, type InventoryDeps, type InventoryPolicy } from "../../core/inventory/inventory-deps.ts";
import { inventoryEntities } from "../../adapters/mikro-orm/inventory/inventory-records.ts";
import { MikroOrmInventoryStore } from "../../adapters/mikro-orm/inventory/mikro-orm-inventory-store.ts";
import { createMikroOrmProcessedEvents } from "../../adapters/mikro-orm/mikro-orm-processed-events.ts";
import type { SqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import type { Logger } from "../../adapters/observability/logger.ts";
import type { IdentityResolver } from "../../adapters/rpc/call-context.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import { InventoryService } from "../../gen/shop/inventory/v1/inventory_pb.ts";
import type { ContextModule } from "../runtime/context-module.ts";
import { relationalContextModule } from "../runtime/relational-context.ts";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSettings } from "../runtime/retention-config.ts";
import { startRetentionSweeper } from "../runtime/retention-sweeper.ts";
import { inventoryEventMapper } from "./inventory-event-mapper.ts";
import { INVENTORY_INTERNAL_METHODS, inventoryHandlers } from "./inventory-handlers.ts";
import { inventoryRetentionTargets } from "./inventory-retention.ts";
import { subscribeToOrderEvents } from "./order-events-subscription.ts";
import { startReservationSweeper } from "./reservation-sweeper.ts";

export { inventoryEntities };

// Test-only crash point (tests/e2e/checkout-failures.test.ts): die like SIGKILL inside a guessed
// reservation's transaction, its rows written, before its COMMIT (MariaDB rolls it back when the
// connection drops). Read once at start; never set outside that test.
const CRASH_BEFORE_RESERVE_COMMIT = process.env.SHOPMESH_TEST_CRASH_BEFORE_RESERVE_COMMIT === "1";

export interface InventoryModuleDeps {
  readonly db: SqlDatabase;
  readonly publisher: EventPublisher;
  /** Where `order-events` come from (Kafka in the mesh, the in-process bus embedded). */
  readonly consumer: EventConsumer;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly resolveIdentity: IdentityResolver;
  readonly policy?: InventoryPolicy;
  readonly availabilityCache?: AvailabilityCache;
  /** How often the sweeper expires unconfirmed reservations. */
  readonly sweepIntervalMs?: number;
  /** The consumed topic and group when not the mesh's `order-events` / `inventory` (tests on a shared Kafka). */
  readonly orderEvents?: { readonly topic: string; readonly group: string };
  /** The retention sweeper's settings (docs: Retention); defaults when not given. */
  readonly retention?: RetentionSettings;
}

/**
 * The inventory context, the same in its own process and in the embedded one: InventoryService,
 * the outbox relay of `inventory-events`, the consumer of `order-events`, the reservation
 * sweeper and the retention sweeper. Stopping stops the consumer and the sweepers, then the
 * relay and the database.
 */
export function inventoryModule(
  deps: InventoryModuleDeps,
): ContextModule & { readonly store: MikroOrmInventoryStore; readonly useCases: InventoryDeps } {
  const store = new MikroOrmInventoryStore(
    deps.db.em,
    inventoryEventMapper,
    undefined,
    CRASH_BEFORE_RESERVE_COMMIT ? { beforeGuessedCommit: () => void process.kill(process.pid, "SIGKILL") } : {},
  );
  const useCases: InventoryDeps = {
    store,
    clock: deps.clock,
    newId: randomId,
    policy: deps.policy ?? DEFAULT_INVENTORY_POLICY,
    availabilityCache: deps.availabilityCache,
  };
  const options = { logger: deps.logger, resolveIdentity: deps.resolveIdentity, internalMethods: INVENTORY_INTERNAL_METHODS };
  const retention = deps.retention ?? DEFAULT_RETENTION_SETTINGS;
  const relational = relationalContextModule({
    name: "inventory",
    db: deps.db,
    publisher: deps.publisher,
    logger: deps.logger,
    handlers: [serviceHandlers(InventoryService, inventoryHandlers(useCases), options)],
    background: async () => [
      await subscribeToOrderEvents({
        consumer: deps.consumer,
        processedEvents: createMikroOrmProcessedEvents(deps.db.em),
        inventory: useCases,
        logger: deps.logger,
        ...(deps.orderEvents ? { topic: deps.orderEvents.topic, group: deps.orderEvents.group } : {}),
      }),
      startReservationSweeper(useCases, { intervalMs: deps.sweepIntervalMs ?? 5_000, logger: deps.logger }),
      startRetentionSweeper({
        context: "inventory",
        targets: inventoryRetentionTargets(deps.db.em, retention, deps.clock),
        clock: deps.clock,
        settings: retention,
        logger: deps.logger,
      }),
    ],
  });
  return { ...relational, store, useCases };
}
