import { afterEach, describe, expect, it } from "vitest";
import { type MongoDatabase, openMongoDatabase } from "../../../adapters/mongo/mongo-database.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { uniqueName } from "../../support/unique-name.ts";

describe("openMongoDatabase on FerretDB: retired indexes", () => {
  const opened: MongoDatabase[] = [];
  const open = async (database: string, retiredIndexes?: Record<string, readonly string[]>) => {
    const db = await openMongoDatabase({
      url: requiredEnv("SHOPMESH_MONGO_URL"),
      database,
      indexes: { items: [{ key: { kept: 1 }, name: "kept" }] },
      retiredIndexes,
    });
    opened.push(db);
    return db;
  };
  const indexNames = async (db: MongoDatabase) =>
    (await db.db.collection("items").listIndexes().toArray()).map((i) => i.name as string).sort();

  afterEach(async () => {
    await opened[0]?.db.dropDatabase().catch(() => {});
    for (const db of opened.splice(0)) await db.close();
  });

  it("drops a retired index that an earlier version created, keeps the others, and starts again cleanly", async () => {
    const name = uniqueName("shopmesh_test_retired");
    const before = await open(name);
    await before.db.collection("items").createIndex({ old: 1 }, { name: "old_terms" });
    expect(await indexNames(before)).toEqual(["_id_", "kept", "old_terms"]);

    const after = await open(name, { items: ["old_terms"] });
    expect(await indexNames(after)).toEqual(["_id_", "kept"]);

    const again = await open(name, { items: ["old_terms"] });
    expect(await indexNames(again)).toEqual(["_id_", "kept"]);
  });

  it("starts on a database where the collection of a retired index does not exist", async () => {
    const db = await open(uniqueName("shopmesh_test_retired"), { never_created: ["old_terms"] });
    expect(await indexNames(db)).toEqual(["_id_", "kept"]);
  });
});
