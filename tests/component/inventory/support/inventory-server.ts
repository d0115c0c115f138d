import type { Transport } from "@connectrpc/connect";
import { createMemoryEventBus } from "../../../../adapters/memory/memory-event-bus.ts";
import { createLogger } from "../../../../adapters/observability/logger.ts";
import { inventoryEntities, inventoryModule } from "../../../../services/inventory/inventory-module.ts";
import { openSqlTestDatabase, type SqlTestDatabase } from "../../../support/sql-test-database.ts";
import { type TestIdentity, testIdentity } from "../../users/support/identity.ts";
import { startTestProcess } from "../../../support/test-process.ts";

export interface InventoryServer {
  readonly url: string;
  readonly db: SqlTestDatabase;
  readonly identity: TestIdentity;
  /** The in-process bus the server publishes to (its outbox relay) and consumes order-events from. */
  readonly bus: ReturnType<typeof createMemoryEventBus>;
  transport(kind: "grpc" | "connect"): Transport;
  stop(): Promise<void>;
}

/** InventoryService on port 0, on a database of its own on the local MariaDB, with real JWTs. */
export async function startInventoryServer(options: { sweepIntervalMs?: number } = {}): Promise<InventoryServer> {
  const logger = createLogger("inventory-test", "silent");
  const db = await openSqlTestDatabase("mariadb", "inventory_component", inventoryEntities);
  const identity = await testIdentity();
  const bus = createMemoryEventBus();
  const module = inventoryModule({
    db: { ...db, close: async () => {} }, // the test disposes the database itself
    publisher: bus.publisher,
    consumer: bus.consumer,
    clock: { now: () => new Date() },
    logger,
    resolveIdentity: identity.resolveIdentity,
    sweepIntervalMs: options.sweepIntervalMs ?? 60_000,
  });
  const served = await startTestProcess([module], logger);
  return {
    url: served.url,
    db,
    identity,
    bus,
    transport: served.transport,
    async stop() {
      await served.stop();
      await db.dispose();
    },
  };
}
