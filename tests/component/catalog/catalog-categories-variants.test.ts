import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

const run = `cv${Date.now().toString(36)}`;
const eur = (amountMinor: number) => ({ amountMinor: BigInt(amountMinor), currencyCode: "EUR" });

async function failure(call: Promise<unknown>): Promise<[Code | undefined, string | null | undefined]> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof ConnectError ? [error.code, error.metadata.get("shop-error-field")] : [undefined, undefined];
}

describe.each(["grpc", "connect"] as const)("catalog categories and variants over %s", (kind) => {
  it("when an admin renames, moves and deletes categories, then versions guard each write, cycles and non-empty deletes are refused, other tenants and customers cannot touch them", async () => {
    const client = createClient(CatalogService, server.transport(kind));
    const admin = { headers: { authorization: await server.identity.bearer("acme", `cat-admin-${kind}`, ["tenant_admin"]) } };
    const customer = { headers: { authorization: await server.identity.bearer("acme", `cat-cust-${kind}`, ["customer"]) } };
    const otherAdmin = {
      headers: { authorization: await server.identity.bearer("globex", `cat-admin-${kind}`, ["tenant_admin"]) },
    };
    const anonymous = { headers: { "x-tenant-id": "acme" } };
    const make = async (name: string, parentCategoryId = "") =>
      (
        await client.createCategory(
          { parentCategoryId, name, slug: `${name.toLowerCase()}-${kind}-${run}`, idempotencyKey: `cat-${name}-${kind}-${run}` },
          admin,
        )
      ).category!;
    const root = await make("Root");
    const child = await make("Child", root.categoryId);
    const leaf = await make("Leaf", child.categoryId);
    const elsewhere = await make("Elsewhere");

    const renamed = await client.updateCategory({ categoryId: child.categoryId, expectedVersion: 1n, name: "Kid" }, admin);
    expect(renamed.category).toMatchObject({ name: "Kid", version: 2n, parentCategoryId: root.categoryId });
    expect(
      await failure(client.updateCategory({ categoryId: child.categoryId, expectedVersion: 1n, name: "Lost" }, admin)),
    ).toEqual([Code.Aborted, null]);
    expect(
      await failure(
        client.updateCategory({ categoryId: root.categoryId, expectedVersion: 1n, parentCategoryId: leaf.categoryId }, admin),
      ),
    ).toEqual([Code.FailedPrecondition, "parent_category_id"]);
    expect(
      await failure(
        client.updateCategory({ categoryId: root.categoryId, expectedVersion: 1n, parentCategoryId: "no-such" }, admin),
      ),
    ).toEqual([Code.InvalidArgument, "parent_category_id"]);
    expect(
      (await failure(client.updateCategory({ categoryId: root.categoryId, expectedVersion: 1n, name: "x" }, customer)))[0],
    ).toBe(Code.PermissionDenied);
    expect(
      (await failure(client.updateCategory({ categoryId: root.categoryId, expectedVersion: 1n, name: "x" }, otherAdmin)))[0],
    ).toBe(Code.NotFound);

    const moved = await client.updateCategory(
      { categoryId: child.categoryId, expectedVersion: 2n, parentCategoryId: elsewhere.categoryId },
      admin,
    );
    expect(moved.category?.ancestorCategoryIds).toEqual([elsewhere.categoryId]);
    expect((await client.getCategory({ categoryId: leaf.categoryId }, anonymous)).category?.ancestorCategoryIds).toEqual([
      elsewhere.categoryId,
      child.categoryId,
    ]);

    const product = await client.createProduct(
      {
        product: {
          name: "Leaf thing",
          categoryId: leaf.categoryId,
          variants: [{ sku: `LEAF-${kind}-${run}`, price: eur(100) }],
          status: ProductStatus.ACTIVE,
        },
        idempotencyKey: `leaf-${kind}-${run}`,
      },
      admin,
    );
    expect(await failure(client.deleteCategory({ categoryId: child.categoryId, expectedVersion: 3n }, admin))).toEqual([
      Code.FailedPrecondition,
      null,
    ]);
    expect((await failure(client.deleteCategory({ categoryId: leaf.categoryId, expectedVersion: 1n }, admin)))[0]).toBe(
      Code.FailedPrecondition,
    );
    await client.deleteProduct({ productId: product.product!.productId, expectedVersion: 1n }, admin);
    expect((await failure(client.deleteCategory({ categoryId: leaf.categoryId, expectedVersion: 1n }, otherAdmin)))[0]).toBe(
      Code.NotFound,
    );
    await client.deleteCategory({ categoryId: leaf.categoryId, expectedVersion: 1n }, admin);
    expect((await failure(client.getCategory({ categoryId: leaf.categoryId }, anonymous)))[0]).toBe(Code.NotFound);
    await client.deleteCategory({ categoryId: child.categoryId, expectedVersion: 3n }, admin);
    expect((await client.listCategories({}, anonymous)).categories.map((c) => c.categoryId)).not.toContain(child.categoryId);
  });

  it("when SKUs are looked up in a batch, then found ones come in request order with their facts, unknown and other tenants' SKUs are listed as missing, bad batches are INVALID_ARGUMENT", async () => {
    const client = createClient(CatalogService, server.transport(kind));
    const admin = { headers: { authorization: await server.identity.bearer("acme", `var-admin-${kind}`, ["tenant_admin"]) } };
    const otherAdmin = {
      headers: { authorization: await server.identity.bearer("globex", `var-admin-${kind}`, ["tenant_admin"]) },
    };
    const anonymous = { headers: { "x-tenant-id": "acme" } };
    const sku = (name: string) => `${name}-${kind}-${run}`;
    const category = async (options: typeof admin) =>
      (
        await client.createCategory(
          { name: "Var", slug: `var-${kind}-${run}`, idempotencyKey: `var-cat-${kind}-${run}` },
          options,
        )
      ).category!.categoryId;
    const acmeCategory = await category(admin);
    const shirt = await client.createProduct(
      {
        product: {
          name: "Shirt",
          categoryId: acmeCategory,
          taxClass: "clothing",
          images: [{ url: "https://img.example.com/shirt.png" }],
          variants: [
            { sku: sku("S"), price: eur(1_500), attributes: [{ name: "size", value: "s" }] },
            { sku: sku("M"), price: eur(1_600), attributes: [{ name: "size", value: "m" }] },
          ],
          status: ProductStatus.ACTIVE,
        },
        idempotencyKey: `shirt-${kind}-${run}`,
      },
      admin,
    );
    const old = await client.createProduct(
      {
        product: {
          name: "Old",
          categoryId: acmeCategory,
          variants: [{ sku: sku("OLD"), price: eur(10) }],
          status: ProductStatus.ACTIVE,
        },
        idempotencyKey: `old-${kind}-${run}`,
      },
      admin,
    );
    await client.archiveProduct({ productId: old.product!.productId, expectedVersion: 1n }, admin);
    await client.createProduct(
      {
        product: {
          name: "Theirs",
          categoryId: await category(otherAdmin),
          variants: [{ sku: sku("G"), price: eur(1) }],
          status: ProductStatus.ACTIVE,
        },
        idempotencyKey: `theirs-${kind}-${run}`,
      },
      otherAdmin,
    );

    const answer = await client.batchGetVariants({ skus: [sku("M"), sku("G"), sku("OLD"), sku("NONE"), sku("S")] }, anonymous);

    expect(answer.variants.map((v) => [v.sku, v.purchasable, v.price?.amountMinor])).toEqual([
      [sku("M"), true, 1_600n],
      [sku("OLD"), false, 10n],
      [sku("S"), true, 1_500n],
    ]);
    expect(answer.variants[0]).toMatchObject({
      productId: shirt.product!.productId,
      productVersion: 1n,
      productName: "Shirt",
      productStatus: ProductStatus.ACTIVE,
      taxClass: "clothing",
      imageUrl: "https://img.example.com/shirt.png",
      attributes: [expect.objectContaining({ name: "size", value: "m" })],
    });
    expect(answer.variants[1]?.productStatus).toBe(ProductStatus.ARCHIVED);
    expect(answer.missingSkus).toEqual([sku("G"), sku("NONE")]);

    expect((await failure(client.batchGetVariants({ skus: [] }, anonymous)))[0]).toBe(Code.InvalidArgument);
    expect((await failure(client.batchGetVariants({ skus: [sku("S"), sku("S")] }, anonymous)))[0]).toBe(Code.InvalidArgument);
    const tooMany = Array.from({ length: 201 }, (_, i) => `X-${i}`);
    expect((await failure(client.batchGetVariants({ skus: tooMany }, anonymous)))[0]).toBe(Code.InvalidArgument);
  });
});
