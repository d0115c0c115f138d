import { MemoryInventoryStore } from "../../../adapters/memory/inventory/memory-inventory-store.ts";
import { inventoryEntities } from "../../../adapters/mikro-orm/inventory/inventory-records.ts";
import { MikroOrmInventoryStore } from "../../../adapters/mikro-orm/inventory/mikro-orm-inventory-store.ts";
import { inventoryEventMapper } from "../../../services/inventory/inventory-event-mapper.ts";
import { openSqlTestDatabase, type SqlEngine } from "../../support/sql-test-database.ts";
import { inventoryStoreContract } from "./inventory-store.contract.ts";

inventoryStoreContract("memory", async () => {
  const store = new MemoryInventoryStore(inventoryEventMapper);
  return { store, recordedEvents: async () => [...store.outbox], dispose: async () => {} };
});

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  inventoryStoreContract(`MikroORM on ${engine}`, async () => {
    const db = await openSqlTestDatabase(engine, "inventory", inventoryEntities);
    return { store: new MikroOrmInventoryStore(db.em, inventoryEventMapper), recordedEvents: db.outbox, dispose: db.dispose };
  });
}
