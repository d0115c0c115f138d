import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { productKey } from "../../../adapters/redis/catalog-product-cache.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.ts";
import { ProductStatus } from "../../../gen/shop/catalog/v1/products_pb.ts";
import { type CatalogServer, startCatalogServer } from "./catalog-server.ts";

let server: CatalogServer;
beforeAll(async () => {
  server = await startCatalogServer();
});
afterAll(async () => {
  await server?.stop();
});

const run = `iso${Date.now().toString(36)}`;

async function codeOf(call: Promise<unknown>): Promise<Code | undefined> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof ConnectError ? error.code : undefined;
}

describe.each(["grpc", "connect"] as const)("catalog tenant isolation over %s", (kind) => {
  it("when tenant B calls every read RPC against tenant A's data, then B sees nothing of A: not its products, categories, search hits, facets or cached copies", async () => {
    const client = createClient(CatalogService, server.transport(kind));
    const adminA = { headers: { authorization: await server.identity.bearer("acme", `iso-admin-${kind}`, ["tenant_admin"]) } };
    const adminB = { headers: { authorization: await server.identity.bearer("globex", `iso-admin-${kind}`, ["tenant_admin"]) } };
    const shopperA = { headers: { "x-tenant-id": "acme" } };
    const shopperB = { headers: { "x-tenant-id": "globex" } };
    const word = `${run}${kind}`;
    const category = await client.createCategory(
      { name: "Isolated", slug: `isolated-${kind}-${run}`, idempotencyKey: `iso-cat-${kind}-${run}` },
      adminA,
    );
    const categoryId = category.category!.categoryId;
    const created = await client.createProduct(
      {
        product: {
          name: `Secret ${word}`,
          brand: `Brand${word}`,
          description: `only for acme ${word}`,
          categoryId,
          attributes: [{ name: "color", value: word }],
          variants: [{ sku: `ISO-${kind}-${run}`, price: { amountMinor: 1_000n, currencyCode: "EUR" } }],
          status: ProductStatus.ACTIVE,
        },
        idempotencyKey: `iso-p-${kind}-${run}`,
      },
      adminA,
    );
    const productId = created.product!.productId;

    // Search follows the product events: wait until A finds it, so B's empty answers mean something
    // (by then the creation event, which drops cached copies, has most likely reached the cache group too).
    await expect
      .poll(
        async () =>
          (await client.searchProducts({ query: word, facetAttributes: ["color"] }, shopperA)).products.map((p) => p.productId),
        { timeout: 45_000, interval: 100 },
      )
      .toEqual([productId]);

    // A sees its own product (and warms the cache with it; again if the creation event's
    // invalidation reached the cache group only after a first warm-up).
    await expect
      .poll(
        async () => {
          expect((await client.getProduct({ productId }, shopperA)).product?.productId).toBe(productId);
          return server.redis.exists(productKey(parseTenantId("acme"), productId));
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBe(1);

    for (const caller of [shopperB, adminB]) {
      // The same id from B is NOT_FOUND, although A's copy is in the cache.
      expect(await codeOf(client.getProduct({ productId }, caller))).toBe(Code.NotFound);
      expect((await client.listProducts({}, caller)).products.map((p) => p.productId)).not.toContain(productId);
      expect(await codeOf(client.listProducts({ filter: { categoryId } }, caller))).toBe(Code.InvalidArgument);
      expect((await client.listProducts({ filter: { brands: [`Brand${word}`] } }, caller)).products).toEqual([]);
      const search = await client.searchProducts({ query: word, facetAttributes: ["color"] }, caller);
      expect(search.products).toEqual([]);
      expect(search.totalMatchCount).toBe(0n);
      for (const facet of search.facets) expect(facet.values).toEqual([]);
      expect(await codeOf(client.getCategory({ categoryId }, caller))).toBe(Code.NotFound);
      expect((await client.listCategories({}, caller)).categories.map((c) => c.categoryId)).not.toContain(categoryId);
    }
    expect(await server.redis.exists(productKey(parseTenantId("globex"), productId))).toBe(0);
    // A's cached copy is still A's and still served to A.
    expect((await client.getProduct({ productId }, shopperA)).product?.name).toBe(`Secret ${word}`);
  });
});
