import { MemoryOrderStore } from "../../../adapters/memory/orders/memory-order-store.ts";
import { MikroOrmOrderStore } from "../../../adapters/mikro-orm/orders/mikro-orm-order-store.ts";
import { orderEntities } from "../../../adapters/mikro-orm/orders/order-records.ts";
import { orderEventMapper } from "../../../services/orders/order-event-mapper.ts";
import { openSqlTestDatabase, type SqlEngine } from "../../support/sql-test-database.ts";
import { orderStoreContract } from "./order-store.contract.ts";

orderStoreContract("memory", async () => {
  const store = new MemoryOrderStore(orderEventMapper);
  return { store, recordedEvents: async () => [...store.outbox], dispose: async () => {} };
});

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  orderStoreContract(`MikroORM on ${engine}`, async () => {
    const db = await openSqlTestDatabase(engine, "orders", orderEntities);
    return { store: new MikroOrmOrderStore(db.em, orderEventMapper), recordedEvents: db.outbox, dispose: db.dispose };
  });
}
