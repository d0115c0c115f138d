import { afterAll } from "vitest";
import { MemoryProductRepository } from "../../../adapters/memory/catalog/memory-product-repository.ts";
import { catalogIndexes } from "../../../adapters/mongo/catalog/catalog-indexes.ts";
import { MongoProductRepository } from "../../../adapters/mongo/catalog/mongo-product-repository.ts";
import { PRODUCTS } from "../../../adapters/mongo/catalog/product-document.ts";
import { productEventMapper } from "../../../services/catalog/product-event-mapper.ts";
import { type MongoTestDatabase, openMongoTestDatabase } from "../mongo/support/mongo-test-database.ts";
import { productRepositoryContract } from "./product-repository.contract.ts";

productRepositoryContract("memory", async () => {
  const products = new MemoryProductRepository(productEventMapper);
  const seen: { key: string; type: string }[] = [];
  return {
    products,
    async pendingEventTypes(productId) {
      seen.push(...products.drainEvents());
      return seen.filter((e) => e.key === productId).map((e) => e.type);
    },
  };
});

const databases: MongoTestDatabase[] = [];
afterAll(async () => {
  for (const database of databases) await database.dispose();
});

productRepositoryContract("FerretDB (mongo)", async () => {
  const database = await openMongoTestDatabase("catalog_products", catalogIndexes);
  databases.push(database);
  const products = new MongoProductRepository(database.db, productEventMapper);
  return {
    products,
    async pendingEventTypes(productId) {
      const docs = await database.db.collection(PRODUCTS).find({ product_id: productId }).toArray();
      return docs.flatMap((d) => (d.outbox_events as { type: string }[]).map((e) => e.type));
    },
  };
});
