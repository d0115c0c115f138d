import { MemoryTenantRepository } from "../../../adapters/memory/auth/memory-tenant-repository.ts";
import { MikroOrmTenantRepository } from "../../../adapters/mikro-orm/auth/mikro-orm-tenant-repository.ts";
import { TenantRecord } from "../../../adapters/mikro-orm/auth/tenant-record.ts";
import { tenantEventMapper } from "../../../services/auth/tenant-event-mapper.ts";
import { openSqlTestDatabase, type SqlEngine } from "../../support/sql-test-database.ts";
import { tenantRepositoryContract } from "./tenant-repository.contract.ts";

tenantRepositoryContract("memory", async () => {
  const repository = new MemoryTenantRepository(tenantEventMapper);
  return { repository, recordedEvents: async () => [...repository.outbox], dispose: async () => {} };
});

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  tenantRepositoryContract(`MikroORM on ${engine}`, async () => {
    const db = await openSqlTestDatabase(engine, "tenants", [TenantRecord]);
    return { repository: new MikroOrmTenantRepository(db.em, tenantEventMapper), recordedEvents: db.outbox, dispose: db.dispose };
  });
}
