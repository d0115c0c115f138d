import { MemoryUserRepository } from "../../../adapters/memory/users/memory-user-repository.ts";
import { MikroOrmUserRepository } from "../../../adapters/mikro-orm/users/mikro-orm-user-repository.ts";
import { usersEntities } from "../../../services/users/users-entities.ts";
import { usersEventMapper } from "../../../services/users/users-event-mapper.ts";
import { openSqlTestDatabase, type SqlEngine } from "../../support/sql-test-database.ts";
import { userRepositoryContract } from "./user-repository.contract.ts";

userRepositoryContract("memory", async () => {
  const repository = new MemoryUserRepository(usersEventMapper);
  return { repository, recordedEvents: async () => [...repository.outbox], dispose: async () => {} };
});

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  userRepositoryContract(`MikroORM on ${engine}`, async () => {
    const db = await openSqlTestDatabase(engine, "users", usersEntities);
    return { repository: new MikroOrmUserRepository(db.em, usersEventMapper), recordedEvents: db.outbox, dispose: db.dispose };
  });
}
