import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CatalogService, ProductSortOrder } from "../../../gen/shop/catalog/v1/catalog_pb.ts";
import { ProductStatus } from "../../../gen/shop/catalog/v1/products_pb.ts";
import { type CatalogServer, startCatalogServer } from "./catalog-server.ts";

let server: CatalogServer;
beforeAll(async () => {
  server = await startCatalogServer();
});
afterAll(async () => {
  await server?.stop();
});

const eur = (amountMinor: number) => ({ amountMinor: BigInt(amountMinor), currencyCode: "EUR" });
const run = Date.now().toString(36);

describe.each(["grpc", "connect"] as const)("catalog search sorts over %s", (kind) => {
  it("when a search names a price or newest sort, then the matches come in that order across pages; an unknown sort is INVALID_ARGUMENT on sort_order", async () => {
    const client = createClient(CatalogService, server.transport(kind));
    const admin = { headers: { authorization: await server.identity.bearer("acme", `sort-admin-${kind}`, ["tenant_admin"]) } };
    const anonymous = { headers: { "x-tenant-id": "acme" } };
    const category = await client.createCategory(
      { name: "Sorted", slug: `sorted-${kind}-${run}`, idempotencyKey: `cat-sorted-${kind}-${run}` },
      admin,
    );
    const word = `sortword${kind}${run}`;
    // Created one after another (create_time ascending), prices neither in that order nor its reverse.
    const ids: string[] = [];
    for (const [i, price] of [2_000, 1_000, 3_000].entries()) {
      const created = await client.createProduct(
        {
          product: {
            name: `${word} item ${i}`,
            brand: "Acme",
            categoryId: category.category!.categoryId,
            variants: [{ sku: `SORT-${i}-${kind}-${run}`, price: eur(price) }],
            status: ProductStatus.ACTIVE,
          },
          idempotencyKey: `sort-${i}-${kind}-${run}`,
        },
        admin,
      );
      ids.push(created.product!.productId);
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct create times
    }
    const [first, second, third] = ids as [string, string, string];
    const search = async (sortOrder: ProductSortOrder, pageToken = "") =>
      client.searchProducts({ query: word, sortOrder, page: { pageSize: 2, pageToken } }, anonymous);
    const all = async (sortOrder: ProductSortOrder) => {
      const page1 = await search(sortOrder);
      const page2 = page1.page?.nextPageToken ? await search(sortOrder, page1.page.nextPageToken) : undefined;
      return [...page1.products, ...(page2?.products ?? [])].map((p) => p.productId);
    };
    // Search follows the product events (eventually consistent): wait until all three are indexed
    // (their postings counted and their copies served).
    await expect.poll(async () => (await all(ProductSortOrder.RELEVANCE)).length, { timeout: 30_000, interval: 100 }).toBe(3);

    expect(await all(ProductSortOrder.PRICE_ASCENDING)).toEqual([second, first, third]);
    expect(await all(ProductSortOrder.PRICE_DESCENDING)).toEqual([third, first, second]);
    expect(await all(ProductSortOrder.NEWEST)).toEqual([third, second, first]);
    const cheapest = await search(ProductSortOrder.PRICE_ASCENDING);
    expect(cheapest.products.map((p) => p.minPrice?.amountMinor)).toEqual([1_000n, 2_000n]);
    expect(cheapest.totalMatchCount).toBe(3n);

    // A page token belongs to its sort.
    const error = await search(ProductSortOrder.NEWEST, cheapest.page!.nextPageToken).catch((e: unknown) => e);
    expect(error instanceof ConnectError && error.code).toBe(Code.InvalidArgument);

    const unknown = await search(99 as ProductSortOrder).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ConnectError);
    expect((unknown as ConnectError).code).toBe(Code.InvalidArgument);
    // protovalidate (defined_only) answers before the handler; the handler's mapping refuses it too.
    expect((unknown as ConnectError).metadata.get("shop-error-field")).toBe("sort_order");
  });
});
