import { MemoryNotificationStore } from "../../../adapters/memory/notifications/memory-notification-store.ts";
import { notificationEntities } from "../../../adapters/mikro-orm/notifications/notification-records.ts";
import { MikroOrmNotificationStore } from "../../../adapters/mikro-orm/notifications/mikro-orm-notification-store.ts";
import { notificationEventMapper } from "../../../services/notifications/notification-event-mapper.ts";
import { openSqlTestDatabase, type SqlEngine } from "../../support/sql-test-database.ts";
import { notificationStoreContract } from "./notification-store.contract.ts";

notificationStoreContract("memory", async () => {
  const store = new MemoryNotificationStore(notificationEventMapper);
  return { store, recordedEvents: async () => [...store.outbox], dispose: async () => {} };
});

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  notificationStoreContract(`MikroORM on ${engine}`, async () => {
    const db = await openSqlTestDatabase(engine, "notifications", notificationEntities);
    return {
      store: new MikroOrmNotificationStore(db.em, notificationEventMapper),
      recordedEvents: db.outbox,
      dispose: db.dispose,
    };
  });
}
