// The catalog for `make bench-catalog`, in its own process (client and server each get an event
// loop): CatalogService through shopmesh's RPC plumbing, on real FerretDB + Redis when
// SHOPMESH_MONGO_URL / SHOPMESH_REDIS_URL answer, else on in-memory documents / cache.
// The products live in a throwaway database (dropped on "quit"). Anonymous callers name their
// tenant in x-tenant-id, as in the foundation benchmark. Prints
// "READY <grpcPort> <http1Port> <store> <cache> <productId>", then answers stdin lines:
//   seed <n>   bulk-inserts search products until the tenant holds n of them, then bulk-loads the
//              search index with all of them -> "SEEDED <n> <insert ms> <index load ms>"
//   quit       drops the database and exits
import { createInterface } from "node:readline";
import type { Db } from "mongodb";
import type { CatalogDeps } from "../../core/catalog/catalog-deps.ts";
import type { CategoryRepository } from "../../core/catalog/category-repository.ts";
import type { ProductCache } from "../../core/catalog/product-cache.ts";
import { Product } from "../../core/catalog/product.ts";
import type { ProductRepository } from "../../core/catalog/product-repository.ts";
import { systemClock } from "../../core/kit/clock.ts";
import { randomId } from "../../core/kit/ids.ts";
import { parseTenantId, type RequestContext } from "../../core/kit/request-context.ts";
import { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.ts";
import { MemoryCategoryRepository } from "../../adapters/memory/catalog/memory-category-repository.ts";
import { createMemoryProductCache } from "../../adapters/memory/catalog/memory-product-cache.ts";
import { createNearProductCache } from "../../adapters/memory/catalog/near-product-cache.ts";
import { MemoryProductRepository } from "../../adapters/memory/catalog/memory-product-repository.ts";
import { MemorySearchIndex } from "../../adapters/memory/catalog/memory-search-index.ts";
import { MongoSearchIndex } from "../../adapters/mongo/catalog/mongo-search-index.ts";
import { type IndexedProduct, indexedProduct } from "../../core/catalog/search-index.ts";
import { catalogIndexes } from "../../adapters/mongo/catalog/catalog-indexes.ts";
import { MongoCategoryRepository } from "../../adapters/mongo/catalog/mongo-category-repository.ts";
import { MongoProductRepository } from "../../adapters/mongo/catalog/mongo-product-repository.ts";
import { PRODUCTS, toDocument } from "../../adapters/mongo/catalog/product-document.ts";
import { type MongoDatabase, openMongoDatabase } from "../../adapters/mongo/mongo-database.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { createRedisProductCache } from "../../adapters/redis/catalog-product-cache.ts";
import { createRedisClient, whenReady } from "../../adapters/redis/redis-client.ts";
import { startRpcServer } from "../../adapters/rpc/rpc-server.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import { catalogHandlers } from "../../services/catalog/catalog-handlers.ts";
import { productEventMapper } from "../../services/catalog/product-event-mapper.ts";
import { BENCH_TENANT, benchCategories, benchProduct, GET_PRODUCT_ID } from "./bench-products.ts";

const logger = createLogger("bench-catalog", "warn");

// BENCH_GC_REPORT_MS=<ms>: every <ms>, print to stderr the GC pauses of that window (major = mark-compact).
const GC_REPORT_MS = Number(process.env.BENCH_GC_REPORT_MS ?? 0);
if (GC_REPORT_MS > 0) {
  const { PerformanceObserver, constants } = await import("node:perf_hooks");
  let window = { count: 0, total: 0, max: 0, majors: 0, majorTotal: 0, majorMax: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind;
      window.count++;
      window.total += e.duration;
      window.max = Math.max(window.max, e.duration);
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        window.majors++;
        window.majorTotal += e.duration;
        window.majorMax = Math.max(window.majorMax, e.duration);
      }
    }
  }).observe({ entryTypes: ["gc"] });
  setInterval(() => {
    const w = window;
    const heapMb = Math.round(process.memoryUsage().heapUsed / 1e6);
    console.error(
      `GC ${new Date().toISOString().slice(11, 19)} seeded=${seeded} heap=${heapMb}MB all: n=${w.count} total=${w.total.toFixed(0)}ms max=${w.max.toFixed(1)}ms major: n=${w.majors} total=${w.majorTotal.toFixed(0)}ms max=${w.majorMax.toFixed(1)}ms`,
    );
    window = { count: 0, total: 0, max: 0, majors: 0, majorTotal: 0, majorMax: 0 };
  }, GC_REPORT_MS).unref();
}

const tenantId = parseTenantId(BENCH_TENANT);
const ctx: RequestContext = { tenantId, caller: undefined, correlationId: "bench-seed", signal: new AbortController().signal };

async function openMongo(): Promise<MongoDatabase | undefined> {
  const url = process.env.SHOPMESH_MONGO_URL;
  if (!url) return undefined;
  try {
    return await openMongoDatabase({
      url,
      database: `shopmesh_bench_catalog_${Date.now().toString(36)}`,
      indexes: catalogIndexes,
    });
  } catch {
    return undefined;
  }
}

/** BENCH_NEAR_CACHE_MS=0 measures Redis alone (no in-process near cache). */
const NEAR_CACHE_MS = Number(process.env.BENCH_NEAR_CACHE_MS ?? 2_000);

async function openCache(): Promise<{ cache: ProductCache; name: string; close: () => void }> {
  const url = process.env.SHOPMESH_REDIS_URL;
  if (url) {
    const redis = createRedisClient(url);
    if (await whenReady(redis, 2_000)) {
      await redis.del(`catalog:${tenantId}:product:${GET_PRODUCT_ID}`);
      // As services/catalog/main.ts wires it: the near cache (L1) in front of Redis.
      const shared = createRedisProductCache(redis, { ttlSeconds: 600 });
      const cache = NEAR_CACHE_MS > 0 ? createNearProductCache(shared, { ttlMs: NEAR_CACHE_MS, clock: systemClock }) : shared;
      return { cache, name: NEAR_CACHE_MS > 0 ? "redis" : "redis-only", close: () => redis.disconnect() };
    }
    redis.disconnect();
  }
  return { cache: createMemoryProductCache({ ttlMs: 600_000, clock: systemClock }), name: "memory", close: () => {} };
}

const mongo = await openMongo();
const memoryProducts = mongo ? undefined : new MemoryProductRepository(productEventMapper);
const products: ProductRepository = mongo ? new MongoProductRepository(mongo.db, productEventMapper) : memoryProducts!;
const categories: CategoryRepository = mongo ? new MongoCategoryRepository(mongo.db) : new MemoryCategoryRepository();
const cache = await openCache();
const deps: CatalogDeps = {
  products,
  categories,
  cache: cache.cache,
  // BENCH_SEARCH_TABLES / BENCH_SEARCH_SHARDS / BENCH_SEARCH_SHARD_AT: the index's collections per kind / shards per split term / entries past which a term splits (default: the adapter's).
  searchIndex: mongo
    ? new MongoSearchIndex(mongo.db, {
        tables: Number(process.env.BENCH_SEARCH_TABLES) || undefined,
        shards: Number(process.env.BENCH_SEARCH_SHARDS) || undefined,
        shardAt: Number(process.env.BENCH_SEARCH_SHARD_AT) || undefined,
      })
    : new MemorySearchIndex(),
  clock: systemClock,
  newId: randomId,
  currencyOf: async () => "EUR",
};

const now = new Date();
for (const category of benchCategories(tenantId, now)) await categories.add(category);
await products.add(Product.create({ ...benchProduct(tenantId, -1), id: GET_PRODUCT_ID, creationKey: "bench-get" }, now), ctx);

let seeded = 0;
const STORE_PRODUCTS = process.env.BENCH_SEARCH_STORE_PRODUCTS === "1";
/** Every product's search entry so far: the index is bulk-loaded from them (replaceAll), not projected event by event. */
const indexed: IndexedProduct[] = [];
/** Search products go in by bulk inserts (insertMany of 1,000 documents), not one by one. */
async function seed(total: number): Promise<void> {
  while (seeded < total) {
    const batch = Array.from({ length: Math.min(1_000, total - seeded) }, (_, i) =>
      Product.create(benchProduct(tenantId, seeded + i), now).snapshot(),
    );
    for (const p of batch) indexed.push(indexedProduct(p.id, p));
    // Search reads only its index (postings and the page's products), so storing the search
    // products in `products` too is optional (BENCH_SEARCH_STORE_PRODUCTS=1; 100k took 13 min here).
    if (STORE_PRODUCTS) {
      if (mongo) await insertBatch(mongo.db, batch.map(toDocument));
      else memoryProducts!.seed(batch);
    }
    seeded += batch.length;
  }
}

async function insertBatch(db: Db, documents: ReturnType<typeof toDocument>[]): Promise<void> {
  await db.collection<ReturnType<typeof toDocument>>(PRODUCTS).insertMany(documents, { ordered: false });
}

const server = await startRpcServer(
  { handlers: [serviceHandlers(CatalogService, catalogHandlers(deps), { logger })], probes: [], logger },
  0,
);
console.log(`READY ${server.port} ${server.port} ${mongo ? "ferretdb" : "memory"} ${cache.name} ${GET_PRODUCT_ID}`);

for await (const line of createInterface({ input: process.stdin })) {
  const [command, argument] = line.trim().split(" ");
  if (command === "seed") {
    const started = performance.now();
    await seed(Number(argument));
    const loading = performance.now();
    await deps.searchIndex.replaceAll(tenantId, indexed);
    console.log(`SEEDED ${seeded} ${Math.round(loading - started)} ${Math.round(performance.now() - loading)}`);
    if (GC_REPORT_MS > 0) console.error(`GC ${new Date().toISOString().slice(11, 19)} index loaded (${seeded}); searches follow`);
  } else if (command === "quit") {
    break;
  }
}
await mongo?.db.dropDatabase().catch(() => {});
await mongo?.close();
cache.close();
process.exit(0);
