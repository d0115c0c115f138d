import { MemoryShipmentStore } from "../../../adapters/memory/shipping/memory-shipment-store.ts";
import { MikroOrmShipmentStore } from "../../../adapters/mikro-orm/shipping/mikro-orm-shipment-store.ts";
import { shippingEntities } from "../../../adapters/mikro-orm/shipping/shipping-records.ts";
import { shippingEventMapper } from "../../../services/shipping/shipping-event-mapper.ts";
import { openSqlTestDatabase, type SqlEngine } from "../../support/sql-test-database.ts";
import { shipmentStoreContract } from "./shipment-store.contract.ts";

shipmentStoreContract("memory", async () => {
  const store = new MemoryShipmentStore(shippingEventMapper);
  return { store, recordedEvents: async () => [...store.outbox], dispose: async () => {} };
});

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  shipmentStoreContract(`MikroORM on ${engine}`, async () => {
    const db = await openSqlTestDatabase(engine, "shipping", shippingEntities);
    return { store: new MikroOrmShipmentStore(db.em, shippingEventMapper), recordedEvents: db.outbox, dispose: db.dispose };
  });
}
