import { MikroORM } from "@mikro-orm/mysql";
import { messagingEntities } from "../../../../adapters/mikro-orm/messaging-entities.ts";
import { ContractOrder, ContractTally } from "./contract-entities.ts";
import { requiredEnv } from "./required-env.ts";
import type { TestDatabase } from "./sqlite-test-database.ts";
import { uniqueName } from "./unique-name.ts";

/** A database of its own on the local MariaDB (`shopmesh_test_<purpose>_...`), dropped on dispose. */
export async function createMariaDbTestDatabase(purpose: string): Promise<TestDatabase> {
  const name = uniqueName(`shopmesh_test_${purpose}`);
  const orm = await openMariaDb(name);
  await orm.schema.ensureDatabase();
  await orm.schema.create();
  return {
    em: orm.em,
    name,
    async dispose() {
      await orm.schema.dropDatabase(name);
      await orm.close(true);
    },
  };
}

/** Opens an existing test database (also used by the relay child process). */
export function openMariaDb(name: string) {
  return MikroORM.init({
    clientUrl: requiredEnv("SHOPMESH_MYSQL_URL"),
    dbName: name,
    entities: [...messagingEntities, ContractOrder, ContractTally],
    pool: { min: 0, max: 10 },
  });
}
