import { MemoryCredentialRepository } from "../../../adapters/memory/auth/memory-credential-repository.ts";
import { CredentialRecord } from "../../../adapters/mikro-orm/auth/credential-record.ts";
import { MikroOrmCredentialRepository } from "../../../adapters/mikro-orm/auth/mikro-orm-credential-repository.ts";
import { openSqlTestDatabase, type SqlEngine } from "../../support/sql-test-database.ts";
import { credentialRepositoryContract } from "./credential-repository.contract.ts";

credentialRepositoryContract("memory", async () => ({ repository: new MemoryCredentialRepository(), dispose: async () => {} }));

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  credentialRepositoryContract(`MikroORM on ${engine}`, async () => {
    const db = await openSqlTestDatabase(engine, "credentials", [CredentialRecord]);
    return { repository: new MikroOrmCredentialRepository(db.em), dispose: db.dispose };
  });
}
