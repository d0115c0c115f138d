import { describe, expect, it } from "vitest";
import { Product } from "../../../core/catalog/product.ts";
import type { ProductFilter } from "../../../core/catalog/product-query.ts";
import type { ProductRepository } from "../../../core/catalog/product-repository.ts";
import { ratingSummary } from "../../../core/catalog/rating-summary.ts";
import { type DomainError, isDomainError } from "../../../core/kit/domain-error.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { aProduct } from "../../unit/catalog/catalog-builders.ts";

export interface ProductRepositoryFixture {
  readonly products: ProductRepository;
  /** Pending (unpublished) events, oldest first, for one product. */
  pendingEventTypes(productId: string): Promise<string[]>;
}

const ctx = (tenant: string): RequestContext => ({
  tenantId: parseTenantId(tenant),
  caller: undefined,
  correlationId: "corr-1",
  signal: new AbortController().signal,
});
const active: ProductFilter = { statuses: ["active"] };
let counter = 0;
const uid = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

function newProduct(tenant: string, overrides: Parameters<typeof aProduct>[0] = {}, sku = uid("SKU"), at = new Date()) {
  return Product.create(
    {
      tenantId: parseTenantId(tenant),
      id: uid("p"),
      creationKey: uid("key"),
      content: aProduct(overrides, sku),
      currency: "EUR",
    },
    at,
  );
}

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDomainError(error)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

/** The ProductRepository port, run against every adapter. */
export function productRepositoryContract(adapter: string, setup: () => Promise<ProductRepositoryFixture>): void {
  describe(`product repository contract: ${adapter}`, () => {
    it("when a product is added, then it is found in its tenant only, with its creation event pending", async () => {
      const { products, pendingEventTypes } = await setup();
      const product = newProduct("acme");
      await products.add(product, ctx("acme"));

      expect((await products.find(parseTenantId("acme"), product.id))?.snapshot()).toEqual(product.snapshot());
      expect(await products.find(parseTenantId("globex"), product.id)).toBeUndefined();
      expect((await products.findByCreationKey(parseTenantId("acme"), product.snapshot().creationKey))?.id).toBe(product.id);
      expect(await pendingEventTypes(product.id)).toEqual(["shop.events.v1.ProductCreated"]);
    });

    it("when a SKU is taken in the tenant, then a second product is ALREADY_EXISTS, and another tenant may use it", async () => {
      const { products } = await setup();
      const sku = uid("SKU");
      await products.add(newProduct("acme", {}, sku), ctx("acme"));

      const error = await failure(products.add(newProduct("acme", {}, sku), ctx("acme")));
      expect(error).toMatchObject({ kind: "already_exists", code: "CATALOG.SKU_TAKEN" });
      await expect(products.add(newProduct("globex", {}, sku), ctx("globex"))).resolves.toBeUndefined();
    });

    it("when two writers update from one version, then the second is ABORTED and its change is not stored", async () => {
      const { products, pendingEventTypes } = await setup();
      const product = newProduct("acme");
      await products.add(product, ctx("acme"));
      const first = (await products.find(parseTenantId("acme"), product.id))!;
      const second = (await products.find(parseTenantId("acme"), product.id))!;
      first.replaceContent(aProduct({ name: "First" }, product.snapshot().variants[0]!.sku), "EUR", new Date());
      second.replaceContent(aProduct({ name: "Second" }, product.snapshot().variants[0]!.sku), "EUR", new Date());

      await products.update(first, ctx("acme"));
      const error = await failure(products.update(second, ctx("acme")));

      expect(error.kind).toBe("conflict");
      expect((await products.find(parseTenantId("acme"), product.id))?.snapshot()).toMatchObject({ name: "First", version: 2 });
      expect(await pendingEventTypes(product.id)).toEqual(["shop.events.v1.ProductCreated", "shop.events.v1.ProductUpdated"]);
    });

    it("when ten writers update concurrently from one version, then exactly one succeeds and the others are ABORTED", async () => {
      const { products, pendingEventTypes } = await setup();
      // A lost race is timing-dependent: several rounds make a lost one near certain where writes are not atomic.
      for (let round = 0; round < 8; round++) {
        const product = newProduct("acme");
        await products.add(product, ctx("acme"));
        const sku = product.snapshot().variants[0]!.sku;
        const copies = await Promise.all(Array.from({ length: 10 }, () => products.find(parseTenantId("acme"), product.id)));
        for (const [i, copy] of copies.entries()) copy!.replaceContent(aProduct({ name: `Writer ${i}` }, sku), "EUR", new Date());

        const outcomes = await Promise.allSettled(copies.map((copy) => products.update(copy!, ctx("acme"))));

        const won = outcomes.flatMap((o, i) => (o.status === "fulfilled" ? [i] : []));
        expect(won, `round ${round}`).toHaveLength(1);
        for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toMatchObject({ kind: "conflict" });
        expect((await products.find(parseTenantId("acme"), product.id))?.snapshot()).toMatchObject({
          name: `Writer ${won[0]}`,
          version: 2,
        });
        expect(await pendingEventTypes(product.id)).toEqual(["shop.events.v1.ProductCreated", "shop.events.v1.ProductUpdated"]);
      }
    });

    it("when a product is removed, then it is not found, its SKU is free again and ProductDeleted is pending", async () => {
      const { products, pendingEventTypes } = await setup();
      const sku = uid("SKU");
      const product = newProduct("acme", {}, sku);
      await products.add(product, ctx("acme"));
      const loaded = (await products.find(parseTenantId("acme"), product.id))!;
      loaded.delete(new Date());
      await products.remove(loaded, ctx("acme"));

      expect(await products.find(parseTenantId("acme"), product.id)).toBeUndefined();
      expect((await pendingEventTypes(product.id)).at(-1)).toBe("shop.events.v1.ProductDeleted");
      await expect(products.add(newProduct("acme", {}, sku), ctx("acme"))).resolves.toBeUndefined();
    });

    it("when products are listed by price, then pages follow each other without gaps or repeats, within the tenant", async () => {
      const { products } = await setup();
      const tenant = uid("t").toLowerCase();
      for (const price of [500, 100, 300, 200, 400]) {
        await products.add(
          newProduct(tenant, { variants: [{ sku: uid("S"), price: { amountMinor: price, currency: "EUR" }, attributes: [] }] }),
          ctx(tenant),
        );
      }
      await products.add(newProduct("acme"), ctx("acme"));
      const tenantId = parseTenantId(tenant);

      const first = await products.list(tenantId, { filter: active, sort: "price_ascending", pageSize: 2 });
      const second = await products.list(tenantId, { filter: active, sort: "price_ascending", pageSize: 2, after: first.next });
      const third = await products.list(tenantId, { filter: active, sort: "price_ascending", pageSize: 2, after: second.next });

      const prices = [...first.products, ...second.products, ...third.products].map((p) => p.variants[0]!.price.amountMinor);
      expect(prices).toEqual([100, 200, 300, 400, 500]);
      expect(third.next).toBeUndefined();
    });

    it("when filtering by brand, attribute, price and category, then only matching products come back", async () => {
      const { products } = await setup();
      const tenant = uid("f").toLowerCase();
      const t = parseTenantId(tenant);
      const sku = () => uid("S");
      const hit = newProduct(tenant, {
        brand: "Zeta",
        categoryId: "laptops",
        attributes: [{ name: "ram_gb", value: "16" }],
        variants: [{ sku: sku(), price: { amountMinor: 120_000, currency: "EUR" }, attributes: [] }],
      });
      await products.add(hit, ctx(tenant));
      await products.add(
        newProduct(tenant, { brand: "Zeta", categoryId: "laptops", attributes: [{ name: "ram_gb", value: "8" }] }),
        ctx(tenant),
      );
      await products.add(
        newProduct(tenant, { brand: "Other", categoryId: "laptops", attributes: [{ name: "ram_gb", value: "16" }] }),
        ctx(tenant),
      );
      const filter: ProductFilter = {
        statuses: ["active"],
        brands: ["zeta"],
        attributes: [{ name: "ram_gb", values: ["16", "32"] }],
        minPriceMinor: 100_000,
        categoryIds: ["laptops"],
      };

      const page = await products.list(t, { filter, sort: "newest", pageSize: 10 });
      expect(page.products.map((p) => p.id)).toEqual([hit.id]);
      const injected = await products.list(t, {
        filter: { statuses: ["active"], brands: ['{"$where": "sleep(100)"}'] },
        sort: "newest",
        pageSize: 10,
      });
      expect(injected.products).toEqual([]);
    });

    it("when products are looked up by SKUs, then each live holder comes once, within the tenant, and removed ones are gone", async () => {
      const { products } = await setup();
      const tenant = uid("skus");
      const [a1, a2, b1, gone] = [uid("A1"), uid("A2"), uid("B1"), uid("G1")];
      const base = aProduct({}, a1);
      const two = Product.create(
        {
          tenantId: parseTenantId(tenant),
          id: uid("p"),
          creationKey: uid("key"),
          content: { ...base, variants: [base.variants[0]!, { ...base.variants[0]!, sku: a2 }] },
          currency: "EUR",
        },
        new Date(),
      );
      const one = newProduct(tenant, {}, b1);
      const removed = newProduct(tenant, {}, gone);
      const elsewhere = newProduct("globex", {}, uid("X1"));
      for (const p of [two, one, removed]) await products.add(p, ctx(tenant));
      await products.add(elsewhere, ctx("globex"));
      const loaded = (await products.find(parseTenantId(tenant), removed.id))!;
      loaded.delete(new Date());
      await products.remove(loaded, ctx(tenant));

      const found = await products.findBySkus(parseTenantId(tenant), [
        a1,
        a2,
        b1,
        gone,
        elsewhere.snapshot().variants[0]!.sku,
        "NOPE",
      ]);

      expect(found.map((p) => p.id).sort()).toEqual([two.id, one.id].sort());
      expect(found.find((p) => p.id === two.id)).toEqual(two.snapshot());
      expect(await products.findBySkus(parseTenantId(tenant), [])).toEqual([]);
    });

    it("when ratings arrive out of order or twice, then the highest version wins", async () => {
      const { products } = await setup();
      const product = newProduct("acme");
      await products.add(product, ctx("acme"));
      const t = parseTenantId("acme");

      expect(await products.applyRating(t, product.id, ratingSummary([0, 0, 0, 1, 1], 2))).toBe(true);
      expect(await products.applyRating(t, product.id, ratingSummary([0, 0, 0, 0, 1], 1))).toBe(false);
      expect(await products.applyRating(t, product.id, ratingSummary([0, 0, 0, 1, 1], 2))).toBe(false);
      expect(await products.applyRating(parseTenantId("globex"), product.id, ratingSummary([1, 0, 0, 0, 0], 9))).toBe(false);

      expect((await products.find(t, product.id))?.snapshot().rating).toEqual({
        count: 2,
        average: 4.5,
        histogram: [0, 0, 0, 1, 1],
        version: 2,
      });
    });
  });
}
