import { MemorySessionRepository } from "../../../adapters/memory/auth/memory-session-repository.ts";
import { MikroOrmSessionRepository } from "../../../adapters/mikro-orm/auth/mikro-orm-session-repository.ts";
import { RefreshTokenRecord } from "../../../adapters/mikro-orm/auth/refresh-token-record.ts";
import { SessionRecord } from "../../../adapters/mikro-orm/auth/session-record.ts";
import { openSqlTestDatabase, type SqlEngine } from "../../support/sql-test-database.ts";
import { sessionRepositoryContract } from "./session-repository.contract.ts";

sessionRepositoryContract("memory", async () => ({ repository: new MemorySessionRepository(), dispose: async () => {} }));

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  sessionRepositoryContract(`MikroORM on ${engine}`, async () => {
    const db = await openSqlTestDatabase(engine, "sessions", [SessionRecord, RefreshTokenRecord]);
    return { repository: new MikroOrmSessionRepository(db.em), dispose: db.dispose };
  });
}
