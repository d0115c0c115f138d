import type { IndexDescription } from "mongodb";
import { type MongoDatabase, openMongoDatabase } from "../../../../adapters/mongo/mongo-database.ts";
import { requiredEnv } from "../../../support/required-env.ts";
import { uniqueName } from "../../../support/unique-name.ts";

export interface MongoTestDatabase extends MongoDatabase {
  /** Drops the database and closes the client. */
  dispose(): Promise<void>;
}

/** A database of its own on the local FerretDB (`shopmesh_test_<purpose>_...`), dropped by dispose. */
export async function openMongoTestDatabase(
  purpose: string,
  indexes: Readonly<Record<string, readonly IndexDescription[]>> = {},
): Promise<MongoTestDatabase> {
  const database = await openMongoDatabase({
    url: requiredEnv("SHOPMESH_MONGO_URL"),
    database: uniqueName(`shopmesh_test_${purpose}`),
    indexes,
  });
  return {
    ...database,
    async dispose() {
      await database.db.dropDatabase().catch(() => {});
      await database.close();
    },
  };
}
