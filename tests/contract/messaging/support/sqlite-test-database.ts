import { MikroORM, NodeSqliteDialect, type SqlEntityManager, SqliteDriver } from "@mikro-orm/sql";
import { messagingEntities } from "../../../../adapters/mikro-orm/messaging-entities.ts";
import { ContractOrder, ContractTally } from "./contract-entities.ts";

export interface TestDatabase {
  readonly em: SqlEntityManager;
  readonly name: string;
  /** Closes the connections and removes the database. */
  dispose(): Promise<void>;
}

/** An in-memory SQLite database through node:sqlite, with the messaging and contract tables. */
export async function createSqliteTestDatabase(): Promise<TestDatabase> {
  const orm = await MikroORM.init({
    driver: SqliteDriver,
    dbName: ":memory:",
    driverOptions: new NodeSqliteDialect(":memory:"),
    entities: [...messagingEntities, ContractOrder, ContractTally],
  });
  await orm.schema.create();
  return { em: orm.em, name: ":memory:", dispose: () => orm.close(true) };
}
