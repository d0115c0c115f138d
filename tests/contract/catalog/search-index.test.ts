import { afterAll } from "vitest";
import { MemoryProductRepository } from "../../../adapters/memory/catalog/memory-product-repository.ts";
import { MemorySearchIndex } from "../../../adapters/memory/catalog/memory-search-index.ts";
import { catalogIndexes } from "../../../adapters/mongo/catalog/catalog-indexes.ts";
import { MongoProductRepository } from "../../../adapters/mongo/catalog/mongo-product-repository.ts";
import { MongoSearchIndex, SHARD_AT } from "../../../adapters/mongo/catalog/mongo-search-index.ts";
import { productEventMapper } from "../../../services/catalog/product-event-mapper.ts";
import { type MongoTestDatabase, openMongoTestDatabase } from "../mongo/support/mongo-test-database.ts";
import { searchIndexContract } from "./search-index.contract.ts";

searchIndexContract("memory", async () => {
  const index = new MemorySearchIndex();
  return {
    index,
    twin: index,
    products: new MemoryProductRepository(productEventMapper),
    shardAt: Number.POSITIVE_INFINITY,
  };
});

let database: MongoTestDatabase | undefined;
afterAll(async () => {
  await database?.dispose();
});

searchIndexContract("FerretDB (mongo)", async () => {
  database ??= await openMongoTestDatabase("catalog_search", catalogIndexes);
  return {
    index: new MongoSearchIndex(database.db),
    twin: new MongoSearchIndex(database.db),
    products: new MongoProductRepository(database.db, productEventMapper),
    shardAt: SHARD_AT,
  };
});
