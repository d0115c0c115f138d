import http from "node:http";
import { gunzipSync } from "node:zlib";
import { toJsonString } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { productKey } from "../../../adapters/redis/catalog-product-cache.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { CatalogService, GetProductResponseSchema } from "../../../gen/shop/catalog/v1/catalog_pb.ts";
import { ProductStatus } from "../../../gen/shop/catalog/v1/products_pb.ts";
import { type CatalogServer, startCatalogServer } from "./catalog-server.ts";

// A warm GetProduct over Connect JSON answers from the near cache's frozen response, whose JSON
// the Connect handler makes once (adapters/rpc/connect-unary-handler.ts). Here, on the real
// servers: the bytes are what connect-node's serialization of that product gives, a change to
// the product is answered afresh once its event is delivered, and errors map as before.

let server: CatalogServer;
beforeAll(async () => {
  server = await startCatalogServer();
});
afterAll(async () => {
  await server?.stop();
});

const run = Date.now().toString(36);
const anonymous = { "x-tenant-id": "acme" };

/** A raw HTTP/1.1 call (fetch would ask for gzip itself and hide the bytes): status, headers, body as text. */
function getProductJson(productId: string, headers: Record<string, string> = anonymous) {
  const url = new URL(`${server.url}/${CatalogService.typeName}/GetProduct`);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", headers: { "content-type": "application/json", ...headers }, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const raw = Buffer.concat(chunks);
          const body = response.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
          resolve({ status: response.statusCode!, headers: response.headers, body: body.toString() });
        });
      },
    );
    request.on("error", reject);
    request.end(JSON.stringify({ productId }));
  });
}

describe("catalog GetProduct over Connect JSON", () => {
  it("when a product is read warm, then its JSON is what connect-node makes of it, call after call; after a change is delivered, the new product, not stale bytes", async () => {
    const grpc = createClient(CatalogService, server.transport("grpc"));
    const admin = { headers: { authorization: await server.identity.bearer("acme", "admin-connect-json", ["tenant_admin"]) } };
    const category = await grpc.createCategory(
      { name: "Kitchen", slug: `kitchen-cj-${run}`, idempotencyKey: `cat-cj-${run}` },
      admin,
    );
    const product = (name: string) => ({
      name,
      categoryId: category.category!.categoryId,
      brand: "Acme",
      // Over 1 KiB of JSON, so that a client accepting gzip gets it compressed.
      description: Array.from({ length: 150 }, (_, i) => `word${i}`).join(" "),
      variants: [{ sku: `CJ-${run}`, price: { amountMinor: 123_053n, currencyCode: "EUR" } }],
      status: ProductStatus.ACTIVE,
    });
    const created = await grpc.createProduct({ product: product("Mug"), idempotencyKey: `cj-${run}` }, admin);
    const productId = created.product!.productId;
    // A read during the delivery of ProductCreated is not kept by the cache: read until a copy is.
    await expect
      .poll(
        async () => {
          await getProductJson(productId);
          return server.redis.exists(productKey(parseTenantId("acme"), productId));
        },
        { timeout: 15_000 },
      )
      .toBe(1);

    const connectNodeJson = async () =>
      toJsonString(GetProductResponseSchema, await grpc.getProduct({ productId }, { headers: anonymous }));
    const warm = [await getProductJson(productId), await getProductJson(productId)];
    const gzipped = [
      await getProductJson(productId, { ...anonymous, "accept-encoding": "gzip" }),
      await getProductJson(productId, { ...anonymous, "accept-encoding": "gzip" }),
    ];
    const expected = await connectNodeJson();
    expect(JSON.parse(expected).product.name).toBe("Mug");
    for (const answer of [...warm, ...gzipped]) {
      expect(answer.status).toBe(200);
      expect(answer.headers["content-type"]).toBe("application/json");
      expect(answer.body).toBe(expected);
    }
    expect(gzipped.map((answer) => answer.headers["content-encoding"])).toEqual(["gzip", "gzip"]);
    expect(warm[0]!.headers["content-length"]).toBe(String(Buffer.byteLength(expected)));

    await grpc.updateProduct({ productId, expectedVersion: 1n, product: product("Cup") }, admin);
    // The near cache's TTL here is 60 s: only the delivered ProductUpdated can make "Cup" show.
    await expect
      .poll(async () => JSON.parse((await getProductJson(productId)).body).product.name, { timeout: 15_000 })
      .toBe("Cup");
    const changed = await connectNodeJson();
    expect(JSON.parse(changed).product.version).toBe("2");
    expect((await getProductJson(productId)).body).toBe(changed);
    expect((await getProductJson(productId, { ...anonymous, "accept-encoding": "gzip" })).body).toBe(changed);
  });

  it("when the product is unknown or the id is missing, then NOT_FOUND and INVALID_ARGUMENT naming product_id, as before", async () => {
    const missing = await getProductJson(`nope-${run}`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).code).toBe("not_found");
    const invalid = await getProductJson("");
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body).code).toBe("invalid_argument");
    expect(invalid.headers["shop-error-field"]).toBe("product_id");
    const noTenant = await getProductJson(`nope-${run}`, {});
    expect(noTenant.status).toBe(400);
    expect(noTenant.headers["shop-error-field"]).toBe("x-tenant-id");
  });
});
