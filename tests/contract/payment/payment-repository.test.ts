import { MemoryPaymentRepository } from "../../../adapters/memory/payment/memory-payment-repository.ts";
import { MikroOrmPaymentRepository } from "../../../adapters/mikro-orm/payment/mikro-orm-payment-repository.ts";
import { paymentEntities } from "../../../adapters/mikro-orm/payment/payment-records.ts";
import { paymentEventMapper } from "../../../services/payment/payment-event-mapper.ts";
import { openSqlTestDatabase, type SqlEngine } from "../../support/sql-test-database.ts";
import { paymentRepositoryContract } from "./payment-repository.contract.ts";

paymentRepositoryContract("memory", async () => {
  const repository = new MemoryPaymentRepository(paymentEventMapper);
  return { repository, recordedEvents: async () => [...repository.outbox], dispose: async () => {} };
});

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  paymentRepositoryContract(`MikroORM on ${engine}`, async () => {
    const db = await openSqlTestDatabase(engine, "payment", paymentEntities);
    return {
      repository: new MikroOrmPaymentRepository(db.em, paymentEventMapper),
      recordedEvents: db.outbox,
      dispose: db.dispose,
    };
  });
}
