// The server-side CPU cost of one warm GetProduct next to one Ping, in one process, without the
// network: each call goes through serviceHandlers (correlation id, identity, validation, error
// mapping) and its answer is serialized as the transports do (binary for gRPC, JSON for
// Connect; a frozen answer once: adapters/rpc/frozen-response-bytes.ts). CPU time per call
// (process.cpuUsage) is a steadier figure than calls/s on a shared machine. Cache variants: near
// cache over Redis (as main.ts wires it), Redis alone.
// Bounded: BENCH_CALLS per variant (default 20,000), 50 in flight.
//   node bench/catalog/handler-cost.ts        (SHOPMESH_REDIS_URL from .infra/env)
import { create, type DescMethod, toBinary, toJsonString } from "@bufbuild/protobuf";
import { createHandlerContext } from "@connectrpc/connect";
import { Product } from "../../core/catalog/product.ts";
import type { ProductCache } from "../../core/catalog/product-cache.ts";
import { systemClock } from "../../core/kit/clock.ts";
import { randomId } from "../../core/kit/ids.ts";
import { parseTenantId } from "../../core/kit/request-context.ts";
import { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.ts";
import { PlatformService } from "../../gen/shop/platform/v1/platform_pb.ts";
import { MemoryCategoryRepository } from "../../adapters/memory/catalog/memory-category-repository.ts";
import { MemoryProductRepository } from "../../adapters/memory/catalog/memory-product-repository.ts";
import { MemorySearchIndex } from "../../adapters/memory/catalog/memory-search-index.ts";
import { createNearProductCache } from "../../adapters/memory/catalog/near-product-cache.ts";
import { createLogger } from "../../adapters/observability/logger.ts";
import { createRedisProductCache } from "../../adapters/redis/catalog-product-cache.ts";
import { createRedisClient, whenReady } from "../../adapters/redis/redis-client.ts";
import { serializeFrozenOnce } from "../../adapters/rpc/frozen-response-bytes.ts";
import { serviceHandlers } from "../../adapters/rpc/service-handlers.ts";
import { catalogHandlers } from "../../services/catalog/catalog-handlers.ts";
import { platformHandlers } from "../../services/platform/platform-handlers.ts";
import { productEventMapper } from "../../services/catalog/product-event-mapper.ts";
import { BENCH_TENANT, benchProduct, GET_PRODUCT_ID } from "./bench-products.ts";

const CALLS = Number(process.env.BENCH_CALLS ?? 20_000);
const IN_FLIGHT = 50;
const logger = createLogger("bench-handler-cost", "warn");
const tenantId = parseTenantId(BENCH_TENANT);

type Unary = (input: unknown, ctx: unknown) => Promise<unknown>;

function contextFor(service: typeof CatalogService | typeof PlatformService, method: DescMethod) {
  return createHandlerContext({
    service,
    method,
    protocolName: "grpc",
    requestMethod: "POST",
    url: `/${service.typeName}/${method.name}`,
    requestHeader: new Headers({ "x-tenant-id": BENCH_TENANT }),
    requestSignal: new AbortController().signal,
  });
}

async function cpuPerCall(
  service: typeof CatalogService | typeof PlatformService,
  impl: Record<string, Unary>,
  method: DescMethod,
  request: unknown,
): Promise<{ binaryUs: number; jsonUs: number }> {
  const run = async (serialize: (message: unknown) => unknown) => {
    const handler = impl[method.localName]!;
    const input = create(method.input, request as never);
    const once = async () => {
      const answer = await handler(input, contextFor(service, method));
      serialize(create(method.output, answer as never));
    };
    for (let i = 0; i < 5_000; i++) await once();
    let issued = 0;
    const started = process.cpuUsage();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (issued++ < CALLS) await once();
      }),
    );
    const used = process.cpuUsage(started);
    return (used.user + used.system) / CALLS;
  };
  return {
    binaryUs: await run(serializeFrozenOnce((message) => toBinary(method.output, message as never))),
    jsonUs: await run(serializeFrozenOnce((message) => toJsonString(method.output, message as never))),
  };
}

const redisUrl = process.env.SHOPMESH_REDIS_URL;
if (!redisUrl) throw new Error("SHOPMESH_REDIS_URL is required (source .infra/env)");
const redis = createRedisClient(redisUrl);
if (!(await whenReady(redis, 2_000))) throw new Error("Redis did not answer");

const products = new MemoryProductRepository(productEventMapper);
const now = new Date();
const product = Product.create({ ...benchProduct(tenantId, -1), id: GET_PRODUCT_ID, creationKey: "bench-get" }, now);
products.seed([product.snapshot()]);

function catalogImpl(cache: ProductCache) {
  const deps = {
    products,
    categories: new MemoryCategoryRepository(),
    cache,
    searchIndex: new MemorySearchIndex(),
    clock: systemClock,
    newId: randomId,
    currencyOf: async () => "EUR",
  };
  return serviceHandlers(CatalogService, catalogHandlers(deps), { logger }).impl as unknown as Record<string, Unary>;
}

const getProduct = CatalogService.method.getProduct;
const ping = PlatformService.method.ping;
const pingImpl = serviceHandlers(
  PlatformService,
  platformHandlers({ service: "bench", version: "bench", runMode: "distributed", contexts: () => [] }),
  { logger },
).impl as unknown as Record<string, Unary>;
const redisCache = createRedisProductCache(redis, { ttlSeconds: 600 });
await redis.del(`catalog:${tenantId}:product:${GET_PRODUCT_ID}`);

const rows: [string, { binaryUs: number; jsonUs: number }][] = [
  ["Ping through the plumbing", await cpuPerCall(PlatformService, pingImpl, ping, { payload: "x".repeat(256) })],
  [
    "GetProduct, near cache over Redis",
    await cpuPerCall(
      CatalogService,
      catalogImpl(createNearProductCache(redisCache, { ttlMs: 2_000, clock: systemClock })),
      getProduct,
      { productId: GET_PRODUCT_ID },
    ),
  ],
  [
    "GetProduct, Redis alone",
    await cpuPerCall(CatalogService, catalogImpl(redisCache), getProduct, { productId: GET_PRODUCT_ID }),
  ],
];
redis.disconnect();

console.log(`\nServer-side CPU per call in the handler path (no network), ${CALLS} calls, ${IN_FLIGHT} in flight`);
console.log("call                                   binary (gRPC) us   JSON (Connect) us");
for (const [name, figure] of rows)
  console.log(`${name.padEnd(38)} ${figure.binaryUs.toFixed(1).padStart(16)} ${figure.jsonUs.toFixed(1).padStart(18)}`);
