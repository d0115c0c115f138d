import { afterAll, describe, expect, it } from "vitest";
import { MemoryProductRepository } from "../../../adapters/memory/catalog/memory-product-repository.ts";
import { MemorySearchIndex } from "../../../adapters/memory/catalog/memory-search-index.ts";
import { Product } from "../../../core/catalog/product.ts";
import { indexedProduct } from "../../../core/catalog/search-index.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { catalogIndexes } from "../../../adapters/mongo/catalog/catalog-indexes.ts";
import { MongoProductRepository } from "../../../adapters/mongo/catalog/mongo-product-repository.ts";
import { MongoSearchIndex, SHARD_AT } from "../../../adapters/mongo/catalog/mongo-search-index.ts";
import { encodeEntries } from "../../../adapters/mongo/catalog/mongo-search-index-codec.ts";
import { productEventMapper } from "../../../services/catalog/product-event-mapper.ts";
import { aProduct } from "../../unit/catalog/catalog-builders.ts";
import { type MongoTestDatabase, openMongoTestDatabase } from "../mongo/support/mongo-test-database.ts";
import { searchIndexContract } from "./search-index.contract.ts";

searchIndexContract("memory", async () => {
  const index = new MemorySearchIndex();
  return {
    index,
    twin: index,
    products: new MemoryProductRepository(productEventMapper),
    shardAt: Number.POSITIVE_INFINITY,
  };
});

let database: MongoTestDatabase | undefined;
afterAll(async () => {
  await database?.dispose();
});

searchIndexContract("FerretDB (mongo)", async () => {
  database ??= await openMongoTestDatabase("catalog_search", catalogIndexes);
  return {
    index: new MongoSearchIndex(database.db),
    twin: new MongoSearchIndex(database.db),
    products: new MongoProductRepository(database.db, productEventMapper),
    shardAt: SHARD_AT,
  };
});

/** A posting document as session 2 wrote it: entries unpacked, shards (if any) among the term documents. */
interface LegacyPostingDocument {
  _id: string;
  tenant_id: string;
  rev: number;
  entries: string;
  shards?: number;
  gen?: string;
}

describe("MongoSearchIndex: posting documents written before packing (session 2)", () => {
  it("when a term document still holds the unpacked form, then its entries are read, kept and changed at the next write", async () => {
    database ??= await openMongoTestDatabase("catalog_search", catalogIndexes);
    const index = new MongoSearchIndex(database.db, { tables: 1 });
    const tenantId = parseTenantId(`legacy-${Date.now().toString(36)}`);
    const created = Date.parse("2026-01-01T00:00:00Z");
    await database.db.collection<LegacyPostingDocument>("search_postings_0").insertOne({
      _id: `${tenantId}\u001fzephyr`,
      tenant_id: tenantId,
      rev: 1,
      entries: JSON.stringify({
        old1: ["Acme", "shoes", 100, 200, ["color=red"], 1, "a", created, 0, 1, 0],
        old2: ["Acme", "shoes", 100, 200, [], 0, "r", created, 0, 3, 0],
      }),
    });
    const [before] = await index.postings(tenantId, ["zephyr"]);
    expect(before!.map((e) => [e.productId, e.status, e.inStock, e.stamp.version])).toEqual([
      ["old1", "active", true, 1],
      ["old2", "archived", false, 3],
    ]);
    const p = Product.create(
      { tenantId, id: "new1", creationKey: "k-new1", content: aProduct({ name: "Zephyr Kettle" }), currency: "EUR" },
      new Date(created),
    ).snapshot();
    await index.index(tenantId, indexedProduct(p.id, p));
    const [after] = await index.postings(tenantId, ["zephyr"]);
    expect(after!.map((e) => e.productId).sort()).toEqual(["new1", "old1", "old2"]);
    expect(after!.find((e) => e.productId === "old1")).toEqual(before!.find((e) => e.productId === "old1"));
  });

  it("when a term was split with its shards among the term documents, then its shards are read and written there", async () => {
    database ??= await openMongoTestDatabase("catalog_search", catalogIndexes);
    const index = new MongoSearchIndex(database.db, { tables: 1 });
    const tenantId = parseTenantId(`legacy-${Date.now().toString(36)}`);
    const headId = `${tenantId}\u001fcrowd`;
    const legacy = (id: string) => JSON.stringify({ [id]: ["Acme", "shoes", 100, 200, [], 1, "a", 1, 0, 1, 0] });
    await database.db.collection<LegacyPostingDocument>("search_postings_0").insertMany([
      { _id: headId, tenant_id: tenantId, rev: 1, entries: "{}", shards: 2, gen: "0" },
      { _id: `${headId}\u001f0.0`, tenant_id: tenantId, rev: 1, entries: legacy("a1") },
      { _id: `${headId}\u001f0.1`, tenant_id: tenantId, rev: 1, entries: legacy("b1") },
    ]);
    const ids = async () => ((await index.postings(tenantId, ["crowd"]))[0] ?? []).map((e) => e.productId).sort();
    expect(await ids()).toEqual(["a1", "b1"]);
    const p = Product.create(
      { tenantId, id: "c1", creationKey: "k-c1", content: aProduct({ name: "Crowd Kettle" }), currency: "EUR" },
      new Date(),
    ).snapshot();
    await index.index(tenantId, indexedProduct(p.id, p));
    expect(await ids()).toEqual(["a1", "b1", "c1"]);
    expect(await database.db.collection("search_shards_0").countDocuments({ tenant_id: tenantId })).toBe(0);
  });
});

function crowdOf(tenantId: ReturnType<typeof parseTenantId>, count: number, name = "Crowd Kettle", prefix = "p") {
  return Array.from({ length: count }, (_, i) => {
    const p = Product.create(
      {
        tenantId,
        id: `${prefix}${String(i).padStart(5, "0")}`,
        creationKey: `k${i}`,
        content: aProduct({ name }),
        currency: "EUR",
      },
      new Date(),
    ).snapshot();
    return indexedProduct(p.id, p);
  });
}

describe("MongoSearchIndex: shards as revisions named by heads", () => {
  it("when a writer died after writing a revision its head never named, then reads ignore it and the next writes go past it", async () => {
    database ??= await openMongoTestDatabase("catalog_search", catalogIndexes);
    const index = new MongoSearchIndex(database.db, { tables: 1 });
    const tenantId = parseTenantId(`orphan-${Date.now().toString(36)}`);
    await index.replaceAll(tenantId, crowdOf(tenantId, SHARD_AT + 1));
    const crowd = `${tenantId}\u001fcrowd\u001f`;
    const headsOfCrowd = async () =>
      (
        await database!.db.collection<{ _id: string; rev: number }>("search_heads_0").find({ tenant_id: tenantId }).toArray()
      ).filter((h) => h._id.startsWith(crowd));
    const heads = await headsOfCrowd();
    expect(heads).toHaveLength(4);
    const [ghost] = crowdOf(tenantId, 1, "Crowd Ghost");
    const orphans = heads.map((h) => ({
      _id: `${h._id}.${h.rev + 1}.dead`,
      tenant_id: tenantId,
      rev: h.rev + 1,
      entries: encodeEntries([{ ...ghost!.entry!, productId: "ghost" }]),
    }));
    await database.db.collection<(typeof orphans)[number]>("search_shards_0").insertMany(orphans);
    const ids = async () => ((await index.postings(tenantId, ["crowd"]))[0] ?? []).map((e) => e.productId);
    expect(await ids()).toHaveLength(SHARD_AT + 1);
    const fresh = new MongoSearchIndex(database.db, { tables: 1 });
    for (const extra of crowdOf(tenantId, 8, "Crowd Lamp", "x")) await fresh.index(tenantId, extra);
    const after = await ids();
    expect(after).toHaveLength(SHARD_AT + 9);
    expect(after).not.toContain("ghost");
    expect(after).toEqual(expect.arrayContaining(["x00000", "x00007"]));
    const revisions = (
      await database.db.collection<{ _id: string }>("search_shards_0").find({ tenant_id: tenantId }).toArray()
    ).filter((r) => r._id.startsWith(crowd)).length;
    const written = (await headsOfCrowd()).filter((h) => h.rev > 1);
    expect(written.length).toBeGreaterThan(0);
    expect(revisions).toBe(4 + 4); // one current revision per shard + the orphans
  });

  it("when a term was split apart without heads (session 3), then its shards are read and written as they are", async () => {
    database ??= await openMongoTestDatabase("catalog_search", catalogIndexes);
    const index = new MongoSearchIndex(database.db, { tables: 1 });
    const tenantId = parseTenantId(`apart-${Date.now().toString(36)}`);
    const headId = `${tenantId}\u001fcrowd`;
    const [a, b] = crowdOf(tenantId, 2);
    await database.db.collection<LegacyPostingDocument & { apart: boolean }>("search_postings_0").insertOne({
      _id: headId,
      tenant_id: tenantId,
      rev: 1,
      entries: encodeEntries([]),
      shards: 2,
      gen: "0",
      apart: true,
    });
    await database.db.collection<LegacyPostingDocument>("search_shards_0").insertMany([
      { _id: `${headId}\u001f0.0`, tenant_id: tenantId, rev: 1, entries: encodeEntries([a!.entry!]) },
      { _id: `${headId}\u001f0.1`, tenant_id: tenantId, rev: 1, entries: encodeEntries([{ ...b!.entry!, productId: "b1" }]) },
    ]);
    const ids = async () => ((await index.postings(tenantId, ["crowd"]))[0] ?? []).map((e) => e.productId).sort();
    expect(await ids()).toEqual(["b1", a!.productId]);
    const p = Product.create(
      { tenantId, id: "c1", creationKey: "k-c1", content: aProduct({ name: "Crowd Kettle" }), currency: "EUR" },
      new Date(),
    ).snapshot();
    await index.index(tenantId, indexedProduct(p.id, p));
    expect(await ids()).toEqual(["b1", "c1", a!.productId]);
    expect(await database.db.collection("search_shards_0").countDocuments({ tenant_id: tenantId })).toBe(2);
    expect(await database.db.collection("search_heads_0").countDocuments({ tenant_id: tenantId })).toBe(0);
  });
});
