import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Tenant } from "../../../core/auth/tenant.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { createKafkaEventPublisher } from "../../../adapters/kafka/kafka-event-publisher.ts";
import { type KafkaTenantDirectory, startKafkaTenantDirectory } from "../../../adapters/kafka/kafka-tenant-directory.ts";
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.ts";
import { AttributeScope } from "../../../gen/shop/catalog/v1/categories_pb.ts";
import { ProductStatus } from "../../../gen/shop/catalog/v1/products_pb.ts";
import { tenantEventMapper } from "../../../services/auth/tenant-event-mapper.ts";
import { createTestKafka, testTopics } from "../../contract/messaging/support/test-kafka.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { type CatalogServer, startCatalogServer } from "./catalog-server.ts";

// The catalog prices each tenant in the currency its TenantCreated carried, through the same
// Kafka tenant replica main.ts uses (a topic of this file's own): acme sells in EUR, globex in USD.
const kafka = createTestKafka();
const topics = testTopics(kafka, 1);
let directory: KafkaTenantDirectory;
let server: CatalogServer;
beforeAll(async () => {
  const topic = await topics.create("tenant-events");
  const operator: RequestContext = {
    tenantId: parseTenantId("platform"),
    caller: { userId: "op", roles: ["platform_operator"] },
    correlationId: "c",
    signal: new AbortController().signal,
  };
  const created = [
    { id: "acme", currency: "EUR" },
    { id: "globex", currency: "USD" },
  ].flatMap(({ id, currency }) =>
    Tenant.create({ id: parseTenantId(id), displayName: id, currency, defaultLocale: "en" }, new Date())
      .pullEvents()
      .map((event) => ({ ...tenantEventMapper(event, operator), topic })),
  );
  const publisher = createKafkaEventPublisher(kafka);
  await publisher.publish(created);
  await publisher.disconnect();
  directory = await startKafkaTenantDirectory(kafka, { topic, instance: uniqueName("catalog-currency") });
  await directory.ready();
  server = await startCatalogServer({ tenants: directory });
});
afterAll(async () => {
  await server?.stop();
  await directory?.stop();
  await topics.deleteAll();
});

const run = `as${Date.now().toString(36)}`;
const money = (amountMinor: number, currencyCode: string) => ({ amountMinor: BigInt(amountMinor), currencyCode });

async function failure(call: Promise<unknown>): Promise<[Code | undefined, string | null | undefined]> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof ConnectError ? [error.code, error.metadata.get("shop-error-field")] : [undefined, undefined];
}

describe.each(["grpc", "connect"] as const)("catalog attribute specs and tenant currency over %s", (kind) => {
  it("when a laptop breaks the specs it inherits or its own category's, then INVALID_ARGUMENT names the field and nothing is stored; bulk items fail alone", async () => {
    const client = createClient(CatalogService, server.transport(kind));
    const admin = { headers: { authorization: await server.identity.bearer("acme", `spec-admin-${kind}`, ["tenant_admin"]) } };
    const computers = (
      await client.createCategory(
        {
          name: "Computers",
          slug: `computers-${kind}-${run}`,
          idempotencyKey: `computers-${kind}-${run}`,
          attributeSpecs: [
            {
              name: "ram_gb",
              displayName: "RAM (GB)",
              scope: AttributeScope.PRODUCT,
              required: true,
              allowedValues: ["8", "16"],
            },
          ],
        },
        admin,
      )
    ).category!;
    const laptops = (
      await client.createCategory(
        {
          parentCategoryId: computers.categoryId,
          name: "Laptops",
          slug: `laptops-${kind}-${run}`,
          idempotencyKey: `laptops-${kind}-${run}`,
          attributeSpecs: [
            { name: "color", displayName: "Colour", scope: AttributeScope.VARIANT, allowedValues: ["black", "silver"] },
          ],
        },
        admin,
      )
    ).category!;
    const laptop = (ram: string, colors: readonly string[], sku: string) => ({
      name: "Notebook",
      categoryId: laptops.categoryId,
      attributes: [{ name: "ram_gb", value: ram }],
      variants: colors.map((color, i) => ({
        sku: `${sku}-${i}-${kind}-${run}`,
        price: money(99_900, "EUR"),
        attributes: [{ name: "color", value: color }],
      })),
      status: ProductStatus.ACTIVE,
    });
    const key = `laptop-${kind}-${run}`;

    expect(
      await failure(client.createProduct({ product: laptop("16", ["black", "gold"], "NB"), idempotencyKey: key }, admin)),
    ).toEqual([Code.InvalidArgument, "variants[1].attributes[0].value"]);
    expect(await failure(client.createProduct({ product: laptop("12", ["black"], "NB"), idempotencyKey: key }, admin))).toEqual([
      Code.InvalidArgument,
      "attributes[0].value",
    ]);
    const noRam = { ...laptop("8", ["black"], "NB"), attributes: [] };
    expect(await failure(client.createProduct({ product: noRam, idempotencyKey: key }, admin))).toEqual([
      Code.InvalidArgument,
      "attributes",
    ]);
    // Nothing was stored under the key: the first valid call creates the product.
    const created = (await client.createProduct({ product: laptop("16", ["black", "silver"], "NB"), idempotencyKey: key }, admin))
      .product!;
    expect(created.attributes.map((a) => [a.name, a.value])).toEqual([["ram_gb", "16"]]);
    expect(
      await failure(
        client.updateProduct(
          { productId: created.productId, expectedVersion: 1n, product: laptop("32", ["black"], "NB") },
          admin,
        ),
      ),
    ).toEqual([Code.InvalidArgument, "attributes[0].value"]);

    const bulk = await client.bulkImportProducts(
      {
        items: [
          { clientReference: "good", product: laptop("8", ["silver"], "B1") },
          { clientReference: "bad", product: laptop("8", ["silver", "pink"], "B2") },
        ],
        idempotencyKey: `bulk-${kind}-${run}`,
      },
      admin,
    );
    expect([bulk.createdCount, bulk.failedCount]).toEqual([1, 1]);
    expect(bulk.results[1]?.outcome).toMatchObject({
      case: "error",
      value: {
        code: "INVALID_ARGUMENT",
        fieldViolations: [expect.objectContaining({ field: "variants[1].attributes[0].value" })],
      },
    });
  });

  it("when two tenants sell in different currencies, then each one's own currency is enforced on its prices", async () => {
    const client = createClient(CatalogService, server.transport(kind));
    const bearer = async (tenant: string) => ({
      headers: { authorization: await server.identity.bearer(tenant, `cur-admin-${kind}`, ["tenant_admin"]) },
    });
    for (const [tenant, own, other] of [
      ["acme", "EUR", "USD"],
      ["globex", "USD", "EUR"],
    ] as const) {
      const admin = await bearer(tenant);
      const categoryId = (
        await client.createCategory(
          { name: "Any", slug: `any-${tenant}-${kind}-${run}`, idempotencyKey: `any-${tenant}-${kind}-${run}` },
          admin,
        )
      ).category!.categoryId;
      const priced = (currency: string) => ({
        product: {
          name: "Mug",
          categoryId,
          variants: [{ sku: `MUG-${tenant}-${kind}-${run}`, price: money(1_200, currency) }],
          status: ProductStatus.ACTIVE,
        },
        idempotencyKey: `mug-${tenant}-${kind}-${run}`,
      });
      expect(await failure(client.createProduct(priced(other), admin))).toEqual([Code.InvalidArgument, "variants[0].price"]);
      const mug = (await client.createProduct(priced(own), admin)).product!;
      expect(mug.variants[0]?.price).toMatchObject({ amountMinor: 1_200n, currencyCode: own });
    }
  });
});
