// Rebuilds a tenant's search index from its stored products (after a deploy that brings the
// index, or to repair it). Run it while the tenant's catalog is quiet: a product written during
// the rebuild may need one more change (or another rebuild) to show in search.
//   node services/catalog/search-index-cli.ts rebuild <tenant-id>
// Reads SHOPMESH_MONGO_URL and SHOPMESH_CATALOG_DATABASE.
import { z } from "zod";
import { rebuildSearchIndex } from "../../core/catalog/search-projection.ts";
import { parseTenantId } from "../../core/kit/request-context.ts";
import { readConfig } from "../../adapters/config/env-config.ts";
import { catalogIndexes, catalogRetiredIndexes } from "../../adapters/mongo/catalog/catalog-indexes.ts";
import { MongoProductRepository } from "../../adapters/mongo/catalog/mongo-product-repository.ts";
import { MongoSearchIndex } from "../../adapters/mongo/catalog/mongo-search-index.ts";
import { openMongoDatabase } from "../../adapters/mongo/mongo-database.ts";
import { productEventMapper } from "./product-event-mapper.ts";

const [command, tenant] = process.argv.slice(2);
if (command !== "rebuild" || !tenant) {
  console.error("usage: node services/catalog/search-index-cli.ts rebuild <tenant-id>");
  process.exit(2);
}
const config = readConfig(
  z.object({
    SHOPMESH_MONGO_URL: z.string().min(10),
    SHOPMESH_CATALOG_DATABASE: z
      .string()
      .regex(/^[a-z0-9_]{1,64}$/)
      .default("shopmesh_catalog"),
  }),
);
const tenantId = parseTenantId(tenant);
const mongo = await openMongoDatabase({
  url: config.SHOPMESH_MONGO_URL,
  database: config.SHOPMESH_CATALOG_DATABASE,
  indexes: catalogIndexes,
  retiredIndexes: catalogRetiredIndexes,
});
try {
  const started = performance.now();
  const count = await rebuildSearchIndex(
    { products: new MongoProductRepository(mongo.db, productEventMapper), searchIndex: new MongoSearchIndex(mongo.db) },
    tenantId,
  );
  console.log(`search index of ${tenantId}: ${count} products indexed in ${Math.round(performance.now() - started)} ms`);
} finally {
  await mongo.close();
}
