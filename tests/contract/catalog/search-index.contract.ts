import { describe, expect, it } from "vitest";
import { Product, type ProductSnapshot } from "../../../core/catalog/product.ts";
import type { ProductRepository } from "../../../core/catalog/product-repository.ts";
import { indexedProduct, type SearchIndex } from "../../../core/catalog/search-index.ts";
import { projectProductToSearch, rebuildSearchIndex } from "../../../core/catalog/search-projection.ts";
import { parseTenantId, type RequestContext, type TenantId } from "../../../core/kit/request-context.ts";
import { aProduct } from "../../unit/catalog/catalog-builders.ts";

export interface SearchIndexFixture {
  readonly index: SearchIndex;
  /** Another instance on the same store, as a second process would have it. */
  readonly twin: SearchIndex;
  /** A product store of the same technology, for the projection tests. */
  readonly products: ProductRepository;
  /** How many entries a term holds before the store shards it (Infinity when it never does). */
  readonly shardAt: number;
}

let counter = 0;
const uid = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;
const tenant = () => parseTenantId(uid("t").toLowerCase());
const ctx = (tenantId: TenantId): RequestContext => ({
  tenantId,
  caller: undefined,
  correlationId: "corr-1",
  signal: new AbortController().signal,
});

function snapshot(tenantId: TenantId, name: string, version = 1, id = uid("p")): ProductSnapshot {
  const s = Product.create(
    { tenantId, id, creationKey: uid("key"), content: aProduct({ name, description: "", attributes: [] }), currency: "EUR" },
    new Date(),
  ).snapshot();
  return { ...s, version };
}

async function idsUnder(index: SearchIndex, tenantId: TenantId, term: string): Promise<string[]> {
  const [entries] = await index.postings(tenantId, [term]);
  return entries!.map((e) => e.productId).sort();
}

export function searchIndexContract(name: string, open: () => Promise<SearchIndexFixture>) {
  describe(`SearchIndex contract: ${name}`, () => {
    it("when a product is indexed, then its entry is under each of its terms, nowhere else, and only for its tenant", async () => {
      const { index } = await open();
      const [a, b] = [tenant(), tenant()];
      const p = snapshot(a, "Zephyr Kettle");
      await index.index(a, indexedProduct(p.id, p));
      const [zephyr, kettle, other] = await index.postings(a, ["zephyr", "kettle", "toaster"]);
      expect(zephyr!.map((e) => e.productId)).toEqual([p.id]);
      expect(kettle![0]).toMatchObject({
        productId: p.id,
        brand: "Acme",
        categoryId: "shoes",
        minPriceMinor: 8_999,
        status: "active",
      });
      expect(kettle![0]!.attributePairs).toEqual(["size=42"]);
      expect(other).toEqual([]);
      expect(await index.postings(b, ["zephyr", "kettle"])).toEqual([[], []]);
      expect(await index.products(a, [{ productId: "unknown" }, { productId: p.id }])).toEqual([p]);
      expect(await index.products(b, [{ productId: p.id }])).toEqual([]);
    });

    it("when a product changes its words and then goes, then old terms drop it, new ones have it, and at last none", async () => {
      const { index } = await open();
      const t = tenant();
      const v1 = snapshot(t, "Zephyr Kettle");
      await index.index(t, indexedProduct(v1.id, v1));
      const v2 = { ...snapshot(t, "Zephyr Toaster", 2, v1.id), status: "archived" as const };
      await index.index(t, indexedProduct(v1.id, v2));
      expect(await idsUnder(index, t, "kettle")).toEqual([]);
      expect(await idsUnder(index, t, "toaster")).toEqual([v1.id]);
      expect((await index.postings(t, ["zephyr"]))[0]![0]!.status).toBe("archived");
      expect((await index.products(t, [{ productId: v1.id }]))[0]?.name).toBe("Zephyr Toaster");
      await index.index(t, indexedProduct(v1.id, undefined));
      expect(await index.postings(t, ["zephyr", "toaster", "kettle"])).toEqual([[], [], []]);
      expect(await index.products(t, [{ productId: v1.id }])).toEqual([]);
    });

    it("when a product is indexed anew by another process, then a page named with the new stamps gets the new copy, never one kept from before", async () => {
      const { index, twin } = await open();
      const [t, other] = [tenant(), tenant()];
      const v1 = snapshot(t, "Zephyr Kettle");
      await index.index(t, indexedProduct(v1.id, v1));
      const pageOf = async (tenantId: TenantId) => (await index.postings(tenantId, ["zephyr"]))[0]!;
      expect((await index.products(t, await pageOf(t)))[0]?.name).toBe("Zephyr Kettle");
      const v2 = snapshot(t, "Zephyr Toaster", 2, v1.id);
      await twin.index(t, indexedProduct(v1.id, v2));
      const second = await pageOf(t);
      expect(second[0]!.stamp).toEqual({ version: 2, ratingVersion: 0 });
      expect((await index.products(t, second))[0]?.name).toBe("Zephyr Toaster");
      const rated = { ...v2, rating: { ...v2.rating, version: 1, count: 1 } };
      await twin.index(t, indexedProduct(v1.id, rated));
      const third = await pageOf(t);
      expect(third[0]!.stamp).toEqual({ version: 2, ratingVersion: 1 });
      expect((await index.products(t, third))[0]?.rating).toEqual(rated.rating);
      expect((await index.products(t, [{ productId: v1.id }]))[0]?.rating).toEqual(rated.rating);
      const namesake = snapshot(other, "Zephyr Lamp", 2, v1.id);
      await index.index(other, indexedProduct(v1.id, namesake));
      expect((await index.products(other, await pageOf(other)))[0]?.name).toBe("Zephyr Lamp");
      expect((await index.products(t, await pageOf(t)))[0]?.name).toBe("Zephyr Toaster");
    });

    it("when an older state arrives after a newer one (replay, reordering), then the newer one stays, removals included", async () => {
      const { index } = await open();
      const t = tenant();
      const v1 = snapshot(t, "Zephyr Kettle");
      const v2 = snapshot(t, "Zephyr Toaster", 2, v1.id);
      await index.index(t, indexedProduct(v1.id, v2));
      await index.index(t, indexedProduct(v1.id, v1));
      await index.index(t, indexedProduct(v1.id, v2));
      expect(await idsUnder(index, t, "kettle")).toEqual([]);
      expect(await idsUnder(index, t, "toaster")).toEqual([v1.id]);
      await index.index(t, indexedProduct(v1.id, undefined));
      await index.index(t, indexedProduct(v1.id, v2));
      expect(await index.postings(t, ["zephyr", "toaster"])).toEqual([[], []]);
    });

    it("when many products of one term and many states of one product are indexed at once (by two instances), then every product is there once, in its newest state", async () => {
      const { index, twin } = await open();
      const t = tenant();
      const many = Array.from({ length: 12 }, () => snapshot(t, "Zephyr Lamp"));
      const one = snapshot(t, "Zephyr Word1");
      const states = [1, 2, 3, 4, 5, 6].map((v) => snapshot(t, `Zephyr Word${v}`, v, one.id));
      await Promise.all([
        ...many.map((p, i) => (i % 2 ? index : twin).index(t, indexedProduct(p.id, p))),
        ...states.reverse().map((s, i) => (i % 2 ? index : twin).index(t, indexedProduct(one.id, s))),
      ]);
      expect(await idsUnder(index, t, "lamp")).toEqual(many.map((p) => p.id).sort());
      expect(await idsUnder(index, t, "zephyr")).toEqual([...many.map((p) => p.id), one.id].sort());
      expect(await index.postings(t, ["word1", "word2", "word3", "word4", "word5"])).toEqual([[], [], [], [], []]);
      expect(await idsUnder(index, t, "word6")).toEqual([one.id]);
    });

    it("when a term outgrows one document, then every entry is still found, changed and removed", async () => {
      const { index, shardAt } = await open();
      const t = tenant();
      const size = Number.isFinite(shardAt) ? shardAt : 1_000;
      const bulk = Array.from({ length: size }, (_, i) => snapshot(t, "Zephyr Crowd", 1, `p${String(i).padStart(5, "0")}`));
      await index.replaceAll(
        t,
        bulk.map((p) => indexedProduct(p.id, p)),
      );
      const extra = [snapshot(t, "Zephyr Crowd"), snapshot(t, "Zephyr Crowd")];
      for (const p of extra) await index.index(t, indexedProduct(p.id, p));
      expect(await idsUnder(index, t, "crowd")).toHaveLength(size + 2);
      const changed = snapshot(t, "Zephyr Loner", 2, "p00007");
      await index.index(t, indexedProduct(changed.id, changed));
      await index.index(t, indexedProduct("p00008", undefined));
      const crowd = await idsUnder(index, t, "crowd");
      expect(crowd).toHaveLength(size);
      expect(crowd).not.toContain("p00007");
      expect(crowd).not.toContain("p00008");
      expect(crowd).toContain(extra[1]!.id);
      expect(await idsUnder(index, t, "loner")).toEqual(["p00007"]);
    });

    it("when another instance changes a split term's entries, then this instance's next read has the change, never entries it read before", async () => {
      const { index, twin, shardAt } = await open();
      const t = tenant();
      const size = (Number.isFinite(shardAt) ? shardAt : 1_000) + 1;
      const bulk = Array.from({ length: size }, (_, i) => snapshot(t, "Zephyr Crowd", 1, `p${String(i).padStart(5, "0")}`));
      await index.replaceAll(
        t,
        bulk.map((p) => indexedProduct(p.id, p)),
      );
      expect(await idsUnder(index, t, "crowd")).toHaveLength(size);
      const moved = snapshot(t, "Zephyr Loner", 2, "p00003");
      await twin.index(t, indexedProduct(moved.id, moved));
      const added = snapshot(t, "Zephyr Crowd");
      await twin.index(t, indexedProduct(added.id, added));
      const second = await idsUnder(index, t, "crowd");
      expect(second).toHaveLength(size);
      expect(second).not.toContain("p00003");
      expect(second).toContain(added.id);
      const back = snapshot(t, "Zephyr Crowd", 3, "p00003");
      await twin.index(t, indexedProduct(back.id, back));
      const [third] = await index.postings(t, ["crowd"]);
      expect(third!.find((e) => e.productId === "p00003")?.stamp).toEqual({ version: 3, ratingVersion: 0 });
      expect(third).toHaveLength(size + 1);
    });

    it("when the tenant's index is replaced, then it holds exactly the given products and other tenants keep theirs", async () => {
      const { index } = await open();
      const [a, b] = [tenant(), tenant()];
      const old = snapshot(a, "Zephyr Kettle");
      const kept = snapshot(b, "Zephyr Kettle");
      await index.index(a, indexedProduct(old.id, old));
      await index.index(b, indexedProduct(kept.id, kept));
      const fresh = snapshot(a, "Zephyr Toaster");
      await index.replaceAll(a, [indexedProduct(fresh.id, fresh)]);
      expect(await idsUnder(index, a, "zephyr")).toEqual([fresh.id]);
      expect(await idsUnder(index, b, "zephyr")).toEqual([kept.id]);
      await index.index(a, indexedProduct(fresh.id, { ...fresh, name: "Zephyr Lamp", version: 2 }));
      expect(await idsUnder(index, a, "toaster")).toEqual([]);
    });

    it("when products are written and projected (also concurrently, also stale), then the index follows the stored products; a rebuild gives the same", async () => {
      const { index, products } = await open();
      const t = tenant();
      const deps = { products, searchIndex: index };
      const created = Product.create(
        { tenantId: t, id: uid("p"), creationKey: uid("key"), content: aProduct({ name: "Zephyr Kettle" }), currency: "EUR" },
        new Date(),
      );
      await products.add(created, ctx(t));
      await projectProductToSearch(deps, t, created.id);
      expect(await idsUnder(index, t, "kettle")).toEqual([created.id]);
      const loaded = (await products.find(t, created.id))!;
      loaded.replaceContent(aProduct({ name: "Zephyr Toaster" }, created.snapshot().variants[0]!.sku), "EUR", new Date());
      await products.update(loaded, ctx(t));
      await index.index(t, indexedProduct(created.id, created.snapshot()));
      await Promise.all([projectProductToSearch(deps, t, created.id), projectProductToSearch(deps, t, created.id)]);
      expect(await idsUnder(index, t, "kettle")).toEqual([]);
      expect(await idsUnder(index, t, "toaster")).toEqual([created.id]);
      await index.replaceAll(t, []);
      expect(await rebuildSearchIndex(deps, t)).toBe(1);
      expect(await idsUnder(index, t, "toaster")).toEqual([created.id]);
      const gone = (await products.find(t, created.id))!;
      gone.delete(new Date());
      await products.remove(gone, ctx(t));
      await projectProductToSearch(deps, t, created.id);
      expect(await index.postings(t, ["zephyr", "toaster"])).toEqual([[], []]);
    });
  });
}
