import { describe, expect, it } from "vitest";
import {
  createCategory,
  deleteCategory,
  getCategory,
  listCategories,
  updateCategory,
} from "../../../core/catalog/category-admin.ts";
import type { CatalogDeps } from "../../../core/catalog/catalog-deps.ts";
import type { AttributeSpec } from "../../../core/catalog/category.ts";
import {
  archiveProduct,
  bulkImportProducts,
  createProduct,
  deleteProduct,
  updateProduct,
} from "../../../core/catalog/product-admin.ts";
import { getProduct, listProducts, searchProducts } from "../../../core/catalog/product-browse.ts";
import type { ProductSort } from "../../../core/catalog/product-query.ts";
import { projectProductToSearch } from "../../../core/catalog/search-projection.ts";
import type { ProductEvent } from "../../../core/catalog/product.ts";
import { batchGetVariants } from "../../../core/catalog/variant-lookup.ts";
import { fixedClock } from "../../../core/kit/clock.ts";
import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { Roles } from "../../../core/kit/roles.ts";
import { MemoryCategoryRepository } from "../../../adapters/memory/catalog/memory-category-repository.ts";
import { createMemoryProductCache } from "../../../adapters/memory/catalog/memory-product-cache.ts";
import { MemoryProductRepository } from "../../../adapters/memory/catalog/memory-product-repository.ts";
import { MemorySearchIndex } from "../../../adapters/memory/catalog/memory-search-index.ts";
import { createMemoryTenantDirectory } from "../../../adapters/memory/memory-tenant-directory.ts";
import { tenantCurrency } from "../../../services/runtime/tenant-currency.ts";
import { aProduct } from "./catalog-builders.ts";

/** Events as their type names, so a test can say which ones a write stored. */
const namedEvents: EventMapper<ProductEvent> = (event, ctx) => ({
  id: `${event.type}-${event.product.id}-${event.product.version}`,
  type: event.type,
  schemaVersion: 1,
  topic: "product-events",
  key: event.product.id,
  tenantId: ctx.tenantId,
  correlationId: ctx.correlationId,
  occurredAt: event.product.updatedAt,
  payload: new Uint8Array(),
});

function catalog(currencyOf: CatalogDeps["currencyOf"] = async () => "EUR") {
  const clock = fixedClock(new Date("2026-11-01T10:00:00Z"));
  const products = new MemoryProductRepository(namedEvents);
  let ids = 0;
  const deps: CatalogDeps = {
    products,
    categories: new MemoryCategoryRepository(),
    cache: createMemoryProductCache({ ttlMs: 60_000, clock }),
    searchIndex: new MemorySearchIndex(),
    clock,
    newId: () => `id-${++ids}`,
    currencyOf,
  };
  return { deps, clock, products, events: () => products.drainEvents().map((e) => e.type) };
}

const tenant = (id = "acme") => parseTenantId(id);
const as = (roles: readonly string[] | undefined, tenantId = "acme"): RequestContext => ({
  tenantId: tenant(tenantId),
  caller: roles ? { userId: "u-1", roles } : undefined,
  correlationId: "c-1",
  signal: new AbortController().signal,
});
const admin = as([Roles.tenantAdmin]);
const customer = as([Roles.customer]);
const anonymous = as(undefined);

async function withCategories(deps: CatalogDeps, ctx = admin) {
  const root = await createCategory(deps, ctx, {
    parentId: "",
    name: "Shoes",
    slug: "shoes",
    attributeSpecs: [],
    idempotencyKey: "cat-root",
  });
  const child = await createCategory(deps, ctx, {
    parentId: root.id,
    name: "Trail",
    slug: "trail",
    attributeSpecs: [],
    idempotencyKey: "cat-child",
  });
  const grandchild = await createCategory(deps, ctx, {
    parentId: child.id,
    name: "Winter",
    slug: "winter",
    attributeSpecs: [],
    idempotencyKey: "cat-grandchild",
  });
  return { root, child, grandchild };
}

const error = (fields: Record<string, unknown>) => expect.objectContaining(fields);

describe("product admin", () => {
  it("when a product is created twice with one key, then the second call answers the first product and stores nothing new", async () => {
    const { deps, events } = catalog();
    const { root } = await withCategories(deps);
    const first = await createProduct(deps, admin, aProduct({ categoryId: root.id }, "SKU-A"), "key-000001");
    const again = await createProduct(deps, admin, aProduct({ categoryId: root.id, name: "Other" }, "SKU-B"), "key-000001");
    expect(again).toEqual(first);
    expect(events()).toEqual(["ProductCreated"]);
  });

  it("when the category is unknown, then INVALID_ARGUMENT names category_id and nothing is stored", async () => {
    const { deps, events } = catalog();
    await expect(createProduct(deps, admin, aProduct({ categoryId: "nope" }), "key-000001")).rejects.toThrow(
      error({ kind: "invalid", field: "category_id" }),
    );
    expect(events()).toEqual([]);
  });

  it("when a customer writes, then PERMISSION_DENIED", async () => {
    const { deps } = catalog();
    const { root } = await withCategories(deps);
    await expect(createProduct(deps, customer, aProduct({ categoryId: root.id }), "key-000001")).rejects.toThrow(
      error({ kind: "permission_denied" }),
    );
  });

  it("when an update carries a stale version, then ABORTED and the stored product is unchanged", async () => {
    const { deps, clock, events } = catalog();
    const { root } = await withCategories(deps);
    const created = await createProduct(deps, admin, aProduct({ categoryId: root.id }, "SKU-A"), "key-000001");
    clock.advance(1_000);
    const updated = await updateProduct(deps, admin, created.id, 1, aProduct({ categoryId: root.id, name: "Renamed" }, "SKU-A"));
    expect(updated.version).toBe(2);
    expect(updated.updatedAt).toEqual(new Date("2026-11-01T10:00:01Z"));
    events();

    await expect(
      updateProduct(deps, admin, created.id, 1, aProduct({ categoryId: root.id, name: "Lost" }, "SKU-A")),
    ).rejects.toThrow(error({ kind: "conflict", code: "CATALOG.VERSION_STALE" }));
    expect((await getProduct(deps, admin, created.id)).name).toBe("Renamed");
    expect(events()).toEqual([]);
  });

  it("when a price changes, then ProductUpdated and ProductPriceChanged are stored with the write", async () => {
    const { deps, events } = catalog();
    const { root } = await withCategories(deps);
    const created = await createProduct(deps, admin, aProduct({ categoryId: root.id }, "SKU-A"), "key-000001");
    events();
    const content = aProduct({ categoryId: root.id }, "SKU-A");
    await updateProduct(deps, admin, created.id, 1, {
      ...content,
      variants: [{ ...content.variants[0]!, price: { amountMinor: 1_000, currency: "EUR" } }],
    });
    expect(events()).toEqual(["ProductUpdated", "ProductPriceChanged"]);
  });

  it("when an archived product is archived again with any version, then it is answered unchanged and no event is stored", async () => {
    const { deps, events } = catalog();
    const { root } = await withCategories(deps);
    const created = await createProduct(deps, admin, aProduct({ categoryId: root.id }), "key-000001");
    const archived = await archiveProduct(deps, admin, created.id, 1);
    expect(archived).toMatchObject({ status: "archived", version: 2 });
    events();
    expect(await archiveProduct(deps, admin, created.id, 99)).toEqual(archived);
    expect(events()).toEqual([]);
    await expect(updateProduct(deps, admin, created.id, 2, aProduct({ categoryId: root.id }))).rejects.toThrow(
      error({ kind: "failed_precondition", code: "CATALOG.PRODUCT_ARCHIVED" }),
    );
  });

  it("when a product is deleted, then it is not found again; a stale delete is ABORTED", async () => {
    const { deps, events } = catalog();
    const { root } = await withCategories(deps);
    const created = await createProduct(deps, admin, aProduct({ categoryId: root.id }), "key-000001");
    await expect(deleteProduct(deps, admin, created.id, 2)).rejects.toThrow(error({ kind: "conflict" }));
    await deleteProduct(deps, admin, created.id, 1);
    expect(events()).toEqual(["ProductCreated", "ProductDeleted"]);
    await expect(getProduct(deps, admin, created.id)).rejects.toThrow(error({ kind: "not_found" }));
    await expect(deleteProduct(deps, admin, created.id, 1)).rejects.toThrow(error({ kind: "not_found" }));
  });

  it("when a bulk import mixes good, invalid and clashing items, then each item has its own result and a replay answers the same", async () => {
    const { deps } = catalog();
    const { root } = await withCategories(deps);
    const items = [
      { reference: "row-1", content: aProduct({ categoryId: root.id }, "SKU-1") },
      { reference: "row-2", content: aProduct({ categoryId: root.id, name: " " }, "SKU-2") },
      { reference: "row-3", content: aProduct({ categoryId: root.id }, "SKU-1") },
      { reference: "row-4", content: aProduct({ categoryId: "unknown" }, "SKU-4") },
    ];
    const results = await bulkImportProducts(deps, admin, items, "bulk-000001");
    expect(results.map((r) => ("product" in r ? "created" : `${r.error.kind}:${r.error.field ?? r.error.code}`))).toEqual([
      "created",
      "invalid:name",
      "already_exists:CATALOG.SKU_TAKEN",
      "invalid:category_id",
    ]);
    expect(results.map((r) => r.reference)).toEqual(["row-1", "row-2", "row-3", "row-4"]);
    const replay = await bulkImportProducts(deps, admin, items, "bulk-000001");
    expect("product" in replay[0]! && "product" in results[0]! && replay[0].product.id === results[0].product.id).toBe(true);
  });

  it("when a bulk import is empty or has 501 items, then INVALID_ARGUMENT names items", async () => {
    const { deps } = catalog();
    await expect(bulkImportProducts(deps, admin, [], "bulk-000001")).rejects.toThrow(error({ field: "items" }));
    const many = Array.from({ length: 501 }, (_, i) => ({ reference: `r${i}`, content: aProduct() }));
    await expect(bulkImportProducts(deps, admin, many, "bulk-000001")).rejects.toThrow(error({ field: "items" }));
  });

  it("when a variant price is negative or in another currency, then INVALID_ARGUMENT names variants[0].price", async () => {
    const { deps } = catalog();
    const { root } = await withCategories(deps);
    const content = aProduct({ categoryId: root.id });
    for (const price of [
      { amountMinor: -1, currency: "EUR" },
      { amountMinor: 100, currency: "USD" },
    ])
      await expect(
        createProduct(deps, admin, { ...content, variants: [{ ...content.variants[0]!, price }] }, "key-000001"),
      ).rejects.toThrow(error({ kind: "invalid", field: "variants[0].price" }));
  });
});

describe("category attribute specs on product writes", () => {
  const spec = (name: string, overrides: Partial<AttributeSpec> = {}): AttributeSpec => ({
    name,
    displayName: name,
    scope: "product",
    required: false,
    allowedValues: [],
    facetable: true,
    ...overrides,
  });
  /** Shoes: material (product, closed list); Trail below it: size required on each variant. */
  async function withSpecs(deps: CatalogDeps) {
    const tree = await withCategories(deps);
    await updateCategory(deps, admin, tree.root.id, 1, {
      attributeSpecs: [spec("material", { allowedValues: ["mesh", "leather"] })],
    });
    await updateCategory(deps, admin, tree.child.id, 1, {
      attributeSpecs: [spec("size", { scope: "variant", required: true, allowedValues: ["41", "42", "43"] })],
    });
    return tree;
  }
  const shoe = (categoryId: string, variants: Record<string, string>[], material = "mesh", sku = "SKU") =>
    aProduct({
      categoryId,
      attributes: [{ name: "material", value: material }],
      variants: variants.map((attributes, i) => ({
        sku: `${sku}-${i}`,
        price: { amountMinor: 100, currency: "EUR" },
        attributes: Object.entries(attributes).map(([name, value]) => ({ name, value })),
      })),
    });

  it("when a product of a sub-category breaks an inherited or an own spec, then INVALID_ARGUMENT names the field and nothing is stored", async () => {
    const { deps, events } = catalog();
    const { grandchild } = await withSpecs(deps);
    events();
    for (const [content, field] of [
      [shoe(grandchild.id, [{ size: "42" }], "plastic"), "attributes[0].value"],
      [shoe(grandchild.id, [{ size: "42" }, { size: "44" }]), "variants[1].attributes[0].value"],
      [shoe(grandchild.id, [{ size: "42" }, { colour: "red", size: "42" }]), "variants[1].attributes[0].name"],
      [shoe(grandchild.id, [{ size: "42" }, {}]), "variants[1].attributes"],
    ] as const)
      await expect(createProduct(deps, admin, content, "key-000001")).rejects.toThrow(error({ kind: "invalid", field }));
    expect(events()).toEqual([]);

    const created = await createProduct(deps, admin, shoe(grandchild.id, [{ size: "42" }, { size: "43" }]), "key-000001");
    expect(created.variants.map((v) => v.attributes)).toEqual([[{ name: "size", value: "42" }], [{ name: "size", value: "43" }]]);
    await expect(
      updateProduct(deps, admin, created.id, 1, shoe(grandchild.id, [{ size: "42" }, { size: "40" }])),
    ).rejects.toThrow(error({ kind: "invalid", field: "variants[1].attributes[0].value" }));
    expect((await getProduct(deps, admin, created.id)).version).toBe(1);
  });

  it("when the root declares specs, then products of the root follow only the root's (a sub-category's own specs do not climb)", async () => {
    const { deps } = catalog();
    const { root } = await withSpecs(deps);
    await expect(createProduct(deps, admin, shoe(root.id, [{ size: "42" }]), "key-000001")).rejects.toThrow(
      error({ kind: "invalid", field: "variants[0].attributes[0].name", code: "CATALOG.ATTRIBUTE_UNKNOWN" }),
    );
    expect((await createProduct(deps, admin, shoe(root.id, [{}]), "key-000002")).attributes).toEqual([
      { name: "material", value: "mesh" },
    ]);
  });

  it("when specs change after products were stored, then the products stay as they are and their next update must follow the new specs", async () => {
    const { deps, events } = catalog();
    const { root } = await withCategories(deps);
    const free = await createProduct(deps, admin, shoe(root.id, [{ width: "wide" }], "cork"), "key-000001");
    await updateCategory(deps, admin, root.id, 1, { attributeSpecs: [spec("material", { allowedValues: ["mesh"] })] });
    events();

    expect(await getProduct(deps, admin, free.id)).toEqual(free);
    expect(events()).toEqual([]);
    await expect(updateProduct(deps, admin, free.id, 1, shoe(root.id, [{ width: "wide" }], "cork"))).rejects.toThrow(
      error({ kind: "invalid", field: "attributes[0].value" }),
    );
    expect((await archiveProduct(deps, admin, free.id, 1)).status).toBe("archived");
    await updateCategory(deps, admin, root.id, 2, { attributeSpecs: [] });
    const other = await createProduct(deps, admin, shoe(root.id, [{ width: "wide" }], "cork", "OTHER"), "key-000002");
    expect(other.attributes).toEqual([{ name: "material", value: "cork" }]);
  });

  it("when a bulk import holds items breaking the specs, then each fails alone naming its field and the others are created", async () => {
    const { deps } = catalog();
    const { child, root } = await withSpecs(deps);
    const results = await bulkImportProducts(
      deps,
      admin,
      [
        { reference: "ok-1", content: shoe(child.id, [{ size: "41" }], "mesh", "A") },
        { reference: "bad-size", content: shoe(child.id, [{ size: "41" }, { size: "99" }], "mesh", "B") },
        { reference: "ok-2", content: shoe(root.id, [{}], "leather", "C") },
        { reference: "no-size", content: shoe(child.id, [{}], "mesh", "D") },
      ],
      "bulk-000001",
    );
    expect(results.map((r) => ("product" in r ? "created" : `${r.error.kind}:${r.error.field}`))).toEqual([
      "created",
      "invalid:variants[1].attributes[0].value",
      "created",
      "invalid:variants[0].attributes",
    ]);
  });
});

describe("tenant currency", () => {
  const directory = createMemoryTenantDirectory(["acme", "globex"], { acme: "EUR", globex: "USD" });
  const globexAdmin = as([Roles.tenantAdmin], "globex");
  const priced = (categoryId: string, currency: string, sku: string) =>
    aProduct({ categoryId, variants: [{ sku, price: { amountMinor: 500, currency }, attributes: [] }] });

  it("when two tenants sell in different currencies, then each one's own is enforced on create, update and bulk import", async () => {
    const { deps, events } = catalog(tenantCurrency(directory, "EUR"));
    const acmeShoes = (await withCategories(deps, admin)).root.id;
    const globexShoes = (await withCategories(deps, globexAdmin)).root.id;
    events();

    await expect(createProduct(deps, globexAdmin, priced(globexShoes, "EUR", "G-1"), "key-000001")).rejects.toThrow(
      error({ kind: "invalid", field: "variants[0].price", message: "variants[0].price: must be in USD" }),
    );
    await expect(createProduct(deps, admin, priced(acmeShoes, "USD", "A-1"), "key-000001")).rejects.toThrow(
      error({ kind: "invalid", field: "variants[0].price", message: "variants[0].price: must be in EUR" }),
    );
    expect(events()).toEqual([]);

    const dollars = await createProduct(deps, globexAdmin, priced(globexShoes, "USD", "G-1"), "key-000002");
    const euros = await createProduct(deps, admin, priced(acmeShoes, "EUR", "A-1"), "key-000002");
    expect([dollars.variants[0]!.price.currency, euros.variants[0]!.price.currency]).toEqual(["USD", "EUR"]);
    await expect(updateProduct(deps, globexAdmin, dollars.id, 1, priced(globexShoes, "EUR", "G-1"))).rejects.toThrow(
      error({ kind: "invalid", field: "variants[0].price" }),
    );
    const bulk = await bulkImportProducts(
      deps,
      globexAdmin,
      [
        { reference: "usd", content: priced(globexShoes, "USD", "G-2") },
        { reference: "eur", content: priced(globexShoes, "EUR", "G-3") },
      ],
      "bulk-000001",
    );
    expect(bulk.map((r) => ("product" in r ? "created" : r.error.field))).toEqual(["created", "variants[0].price"]);
  });

  it("when the directory does not know the tenant, then the configured fallback currency applies", async () => {
    const { deps } = catalog(tenantCurrency(directory, "CHF"));
    const initech = as([Roles.tenantAdmin], "initech");
    const shoes = (await withCategories(deps, initech)).root.id;
    expect((await createProduct(deps, initech, priced(shoes, "CHF", "I-1"), "key-000001")).variants[0]!.price.currency).toBe(
      "CHF",
    );
    await expect(createProduct(deps, initech, priced(shoes, "EUR", "I-2"), "key-000002")).rejects.toThrow(
      error({ field: "variants[0].price" }),
    );
  });
});

describe("product browse", () => {
  it("when a product is a draft, then anonymous and customers get NOT_FOUND and the tenant admin sees it", async () => {
    const { deps } = catalog();
    const { root } = await withCategories(deps);
    const draft = await createProduct(deps, admin, aProduct({ categoryId: root.id, status: "draft" }), "key-000001");
    await expect(getProduct(deps, anonymous, draft.id)).rejects.toThrow(error({ kind: "not_found" }));
    await expect(getProduct(deps, customer, draft.id)).rejects.toThrow(error({ kind: "not_found" }));
    expect((await getProduct(deps, admin, draft.id)).status).toBe("draft");
  });

  it("when another tenant asks for a product, then NOT_FOUND", async () => {
    const { deps } = catalog();
    const { root } = await withCategories(deps);
    const p = await createProduct(deps, admin, aProduct({ categoryId: root.id }), "key-000001");
    await expect(getProduct(deps, as(undefined, "globex"), p.id)).rejects.toThrow(error({ kind: "not_found" }));
  });

  it("when an anonymous read was cached, then it is served from the cache until the product's invalidation", async () => {
    const { deps } = catalog();
    const { root } = await withCategories(deps);
    const p = await createProduct(deps, admin, aProduct({ categoryId: root.id }, "SKU-A"), "key-000001");
    expect((await getProduct(deps, anonymous, p.id)).name).toBe("Trail Runner");
    await updateProduct(deps, admin, p.id, 1, aProduct({ categoryId: root.id, name: "Renamed" }, "SKU-A"));
    expect((await getProduct(deps, anonymous, p.id)).name).toBe("Trail Runner");
    await deps.cache.invalidateProduct(p.tenantId, p.id);
    expect((await getProduct(deps, anonymous, p.id)).name).toBe("Renamed");
  });

  it("when listing by price in pages of two under a parent category, then sub-category products come in price order across pages", async () => {
    const { deps } = catalog();
    const { root, child, grandchild } = await withCategories(deps);
    const priced = (amountMinor: number, categoryId: string, sku: string) => {
      const content = aProduct({ categoryId }, sku);
      return { ...content, variants: [{ ...content.variants[0]!, price: { amountMinor, currency: "EUR" } }] };
    };
    await createProduct(deps, admin, priced(300, root.id, "S-300"), "key-000003");
    await createProduct(deps, admin, priced(100, child.id, "S-100"), "key-000001");
    await createProduct(deps, admin, priced(200, grandchild.id, "S-200"), "key-000002");
    await createProduct(deps, admin, priced(50, child.id, "S-50"), "key-000004");

    const first = await listProducts(deps, anonymous, { filter: { categoryId: child.id }, sort: "price_ascending", pageSize: 2 });
    expect(first.products.map((p) => p.variants[0]!.sku)).toEqual(["S-50", "S-100"]);
    const second = await listProducts(deps, anonymous, {
      filter: { categoryId: child.id },
      sort: "price_ascending",
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    expect(second.products.map((p) => p.variants[0]!.sku)).toEqual(["S-200"]);
    expect(second.nextPageToken).toBeUndefined();

    await expect(
      listProducts(deps, anonymous, { filter: {}, sort: "newest", pageSize: 2, pageToken: first.nextPageToken }),
    ).rejects.toThrow(error({ kind: "invalid", field: "page.page_token" }));
  });

  it("when anonymous asks for drafts or an unknown category, then PERMISSION_DENIED / INVALID_ARGUMENT on filter.category_id", async () => {
    const { deps } = catalog();
    await expect(listProducts(deps, anonymous, { filter: { statuses: ["draft"] }, sort: "newest" })).rejects.toThrow(
      error({ kind: "permission_denied" }),
    );
    await expect(listProducts(deps, anonymous, { filter: { categoryId: "nope" }, sort: "newest" })).rejects.toThrow(
      error({ kind: "invalid", field: "filter.category_id" }),
    );
  });

  it("when products are listed newest first, then the clock's order is kept", async () => {
    const { deps, clock } = catalog();
    const { root } = await withCategories(deps);
    const older = await createProduct(deps, admin, aProduct({ categoryId: root.id }, "S-1"), "key-000001");
    clock.advance(60_000);
    const newer = await createProduct(deps, admin, aProduct({ categoryId: root.id }, "S-2"), "key-000002");
    const page = await listProducts(deps, anonymous, { filter: {}, sort: "newest" });
    expect(page.products.map((p) => p.id)).toEqual([newer.id, older.id]);
  });
});

describe("product search sorts", () => {
  /** Three products with "trail" in their name, indexed as the projector would. */
  async function searchable() {
    const { deps, clock } = catalog();
    const { root } = await withCategories(deps);
    const priced = async (name: string, amountMinor: number, sku: string) => {
      const content = aProduct({ name, categoryId: root.id }, sku);
      clock.advance(60_000);
      const p = await createProduct(
        deps,
        admin,
        { ...content, variants: [{ ...content.variants[0]!, price: { amountMinor, currency: "EUR" } }] },
        `key-${sku}`,
      );
      await projectProductToSearch(deps, p.tenantId, p.id);
      return p.id;
    };
    const ids = { old: await priced("Trail Old", 200, "S-OLD"), mid: await priced("Trail Mid", 100, "S-MID") };
    const all = { ...ids, new: await priced("Trail New Trail", 300, "S-NEW") };
    return { deps, ids: all };
  }

  it("when a search names a sort, then price and newest order the matches; relevance stays the default", async () => {
    const { deps, ids } = await searchable();
    const order = async (sort?: ProductSort) =>
      (await searchProducts(deps, anonymous, { query: "trail", filter: {}, facetAttributes: [], sort })).products.map(
        (p) => p.id,
      );
    expect(await order("price_ascending")).toEqual([ids.mid, ids.old, ids.new]);
    expect(await order("price_descending")).toEqual([ids.new, ids.old, ids.mid]);
    expect(await order("newest")).toEqual([ids.new, ids.mid, ids.old]);
    expect(await order(undefined)).toHaveLength(3);
  });

  it("when sorted pages are followed, then they continue that sort; a token of another sort is INVALID_ARGUMENT", async () => {
    const { deps, ids } = await searchable();
    const query = { query: "trail", filter: {}, facetAttributes: ["material"], pageSize: 2 } as const;
    const first = await searchProducts(deps, anonymous, { ...query, sort: "price_ascending" });
    expect(first.products.map((p) => p.id)).toEqual([ids.mid, ids.old]);
    expect(first.total).toBe(3);
    const second = await searchProducts(deps, anonymous, { ...query, sort: "price_ascending", pageToken: first.nextPageToken });
    expect(second.products.map((p) => p.id)).toEqual([ids.new]);
    expect(second.nextPageToken).toBeUndefined();
    await expect(
      searchProducts(deps, anonymous, { ...query, sort: "price_descending", pageToken: first.nextPageToken }),
    ).rejects.toThrow(error({ kind: "invalid", field: "page.page_token" }));
    await expect(searchProducts(deps, anonymous, { ...query, pageToken: first.nextPageToken })).rejects.toThrow(
      error({ kind: "invalid", field: "page.page_token" }),
    );
  });

  it("when the sort is not one the core knows, then INVALID_ARGUMENT names sort_order", async () => {
    const { deps } = await searchable();
    await expect(
      searchProducts(deps, anonymous, { query: "trail", filter: {}, facetAttributes: [], sort: "cheapest" as ProductSort }),
    ).rejects.toThrow(error({ kind: "invalid", field: "sort_order" }));
  });
});

describe("BatchGetVariants", () => {
  it("when SKUs of active, archived, draft, other-tenant and unknown products are asked, then found ones come in request order and the rest are missing", async () => {
    const { deps } = catalog();
    const { root } = await withCategories(deps);
    const globex = as([Roles.tenantAdmin], "globex");
    const { root: globexRoot } = await withCategories(deps, globex);
    const content = aProduct({ categoryId: root.id }, "A-1");
    const active = await createProduct(
      deps,
      admin,
      {
        ...content,
        variants: [content.variants[0]!, { sku: "A-2", price: { amountMinor: 500, currency: "EUR" }, attributes: [] }],
      },
      "key-000001",
    );
    const archived = await createProduct(deps, admin, aProduct({ categoryId: root.id }, "R-1"), "key-000002");
    await archiveProduct(deps, admin, archived.id, 1);
    await createProduct(deps, admin, aProduct({ categoryId: root.id, status: "draft" }, "D-1"), "key-000003");
    await createProduct(deps, globex, aProduct({ categoryId: globexRoot.id }, "G-1"), "key-000004");

    const lookup = await batchGetVariants(deps, anonymous, ["A-2", "R-1", "D-1", "G-1", "NOPE", "A-1"]);

    expect(lookup.variants.map((v) => [v.sku, v.productId, v.purchasable, v.price.amountMinor])).toEqual([
      ["A-2", active.id, true, 500],
      ["R-1", archived.id, false, 8_999],
      ["A-1", active.id, true, 8_999],
    ]);
    expect(lookup.variants[1]).toMatchObject({ productStatus: "archived", productVersion: 2, taxClass: "standard" });
    expect(lookup.missingSkus).toEqual(["D-1", "G-1", "NOPE"]);
    expect((await batchGetVariants(deps, admin, ["D-1"])).variants.map((v) => v.sku)).toEqual(["D-1"]);
  });

  it("when no SKU, 201 SKUs or a repeated SKU is asked, then INVALID_ARGUMENT names skus", async () => {
    const { deps } = catalog();
    for (const skus of [[], Array.from({ length: 201 }, (_, i) => `S-${i}`), ["S-1", "S-1"]])
      await expect(batchGetVariants(deps, anonymous, skus)).rejects.toThrow(error({ kind: "invalid", field: "skus" }));
  });
});

describe("category admin", () => {
  it("when a category is renamed with its version, then the version moves by one; a stale version is ABORTED", async () => {
    const { deps, clock } = catalog();
    const { child } = await withCategories(deps);
    clock.advance(5_000);
    const renamed = await updateCategory(deps, admin, child.id, 1, { name: "Trail running" });
    expect(renamed).toMatchObject({
      name: "Trail running",
      version: 2,
      parentId: child.parentId,
      ancestorIds: child.ancestorIds,
    });
    expect(renamed.updatedAt).toEqual(new Date("2026-11-01T10:00:05Z"));
    await expect(updateCategory(deps, admin, child.id, 1, { name: "Lost" })).rejects.toThrow(
      error({ kind: "conflict", code: "CATALOG.VERSION_STALE" }),
    );
    expect((await getCategory(deps, anonymous, child.id)).name).toBe("Trail running");
  });

  it("when a category would move under itself or its descendant, then FAILED_PRECONDITION names parent_category_id and nothing changes", async () => {
    const { deps } = catalog();
    const { root, grandchild } = await withCategories(deps);
    for (const parentId of [root.id, grandchild.id])
      await expect(updateCategory(deps, admin, root.id, 1, { parentId })).rejects.toThrow(
        error({ kind: "failed_precondition", field: "parent_category_id", code: "CATALOG.CATEGORY_CYCLE" }),
      );
    expect(await getCategory(deps, anonymous, root.id)).toEqual(root);
  });

  it("when the new parent is unknown, then INVALID_ARGUMENT names parent_category_id", async () => {
    const { deps } = catalog();
    const { child } = await withCategories(deps);
    await expect(updateCategory(deps, admin, child.id, 1, { parentId: "nope" })).rejects.toThrow(
      error({ kind: "invalid", field: "parent_category_id" }),
    );
  });

  it("when a category moves, then its descendants' ancestors follow and listings by the old parent no longer include them", async () => {
    const { deps } = catalog();
    const { root, child, grandchild } = await withCategories(deps);
    const other = await createCategory(deps, admin, {
      parentId: "",
      name: "Bags",
      slug: "bags",
      attributeSpecs: [],
      idempotencyKey: "cat-bags",
    });
    const p = await createProduct(deps, admin, aProduct({ categoryId: grandchild.id }), "key-000001");

    const moved = await updateCategory(deps, admin, child.id, 1, { parentId: other.id });

    expect(moved.ancestorIds).toEqual([other.id]);
    expect((await getCategory(deps, anonymous, grandchild.id)).ancestorIds).toEqual([other.id, child.id]);
    expect((await listProducts(deps, anonymous, { filter: { categoryId: root.id }, sort: "newest" })).products).toEqual([]);
    expect(
      (await listProducts(deps, anonymous, { filter: { categoryId: other.id }, sort: "newest" })).products.map((x) => x.id),
    ).toEqual([p.id]);
    expect((await listCategories(deps, anonymous)).map((c) => c.name)).toEqual(["Bags", "Shoes", "Trail", "Winter"]);

    const root2 = await updateCategory(deps, admin, child.id, 2, { parentId: "" });
    expect(root2.ancestorIds).toEqual([]);
    expect((await getCategory(deps, anonymous, grandchild.id)).ancestorIds).toEqual([child.id]);
  });

  it("when the new parent already has a child with the same slug, then ALREADY_EXISTS", async () => {
    const { deps } = catalog();
    const { root, grandchild } = await withCategories(deps);
    await createCategory(deps, admin, {
      parentId: root.id,
      name: "Winter",
      slug: "winter",
      attributeSpecs: [],
      idempotencyKey: "cat-w2",
    });
    await expect(updateCategory(deps, admin, grandchild.id, 1, { parentId: root.id })).rejects.toThrow(
      error({ kind: "already_exists", code: "CATALOG.SLUG_TAKEN" }),
    );
  });

  it("when attribute specs are replaced, then they are stored as given; left unset they stay", async () => {
    const { deps } = catalog();
    const { root } = await withCategories(deps);
    const spec = {
      name: "size",
      displayName: "Size",
      scope: "variant" as const,
      required: true,
      allowedValues: ["42"],
      facetable: true,
    };
    const withSpecs = await updateCategory(deps, admin, root.id, 1, { attributeSpecs: [spec] });
    expect(withSpecs.attributeSpecs).toEqual([spec]);
    expect((await updateCategory(deps, admin, root.id, 2, { name: "Footwear" })).attributeSpecs).toEqual([spec]);
  });

  it("when a category has sub-categories or products, then delete is FAILED_PRECONDITION; empty, it goes", async () => {
    const { deps } = catalog();
    const { child, grandchild } = await withCategories(deps);
    await expect(deleteCategory(deps, admin, child.id, 1)).rejects.toThrow(
      error({ kind: "failed_precondition", code: "CATALOG.CATEGORY_HAS_CHILDREN" }),
    );
    const p = await createProduct(deps, admin, aProduct({ categoryId: grandchild.id }), "key-000001");
    await expect(deleteCategory(deps, admin, grandchild.id, 1)).rejects.toThrow(
      error({ kind: "failed_precondition", code: "CATALOG.CATEGORY_HAS_PRODUCTS" }),
    );
    await deleteProduct(deps, admin, p.id, 1);
    await expect(deleteCategory(deps, admin, grandchild.id, 2)).rejects.toThrow(error({ kind: "conflict" }));
    await deleteCategory(deps, admin, grandchild.id, 1);
    await expect(getCategory(deps, anonymous, grandchild.id)).rejects.toThrow(error({ kind: "not_found" }));
  });

  it("when a customer updates or deletes a category, then PERMISSION_DENIED", async () => {
    const { deps } = catalog();
    const { root } = await withCategories(deps);
    await expect(updateCategory(deps, customer, root.id, 1, { name: "x" })).rejects.toThrow(error({ kind: "permission_denied" }));
    await expect(deleteCategory(deps, customer, root.id, 1)).rejects.toThrow(error({ kind: "permission_denied" }));
  });

  it("when another tenant updates or deletes the category, then NOT_FOUND", async () => {
    const { deps } = catalog();
    const { root } = await withCategories(deps);
    const globex = as([Roles.tenantAdmin], "globex");
    await expect(updateCategory(deps, globex, root.id, 1, { name: "x" })).rejects.toThrow(error({ kind: "not_found" }));
    await expect(deleteCategory(deps, globex, root.id, 1)).rejects.toThrow(error({ kind: "not_found" }));
  });
});
