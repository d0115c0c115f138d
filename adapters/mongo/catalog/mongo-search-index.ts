import type { Collection, Db, IndexDescription } from "mongodb";
import type { ProductSnapshot } from "../../../core/catalog/product.ts";
import type { ProductStatus } from "../../../core/catalog/product-content.ts";
import {
  compareStamps,
  type IndexedProduct,
  type IndexStamp,
  type SearchEntry,
  type SearchIndex,
} from "../../../core/catalog/search-index.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { insertLocks } from "../mongo-insert-lock.ts";

export const SEARCH_POSTINGS = "search_postings";
export const SEARCH_PRODUCTS = "search_products";
export const SEARCH_LOCKS = "search_locks";
/**
 * Documents are spread over TABLES collections per kind (`search_postings_<n>`,
 * `search_products_<n>`, n = hash(_id) mod TABLES): FerretDB 1.24 on SQLite pushes an `_id`
 * filter down but still SCANS the table (its `_id` index is not used; `explain` shows
 * "SCAN"), so a lookup costs the bytes of its table. Smaller tables = cheaper lookups.
 */
export const TABLES = 256;
/** Lookups are by `_id` only; no secondary index (rebuilds scan the tables). */
export const searchIndexIndexes: Readonly<Record<string, readonly IndexDescription[]>> = {};

/** A term document holds its entries until it has more than this many, then they move into SHARDS shards. */
export const SHARD_AT = 1_000;
export const SHARDS = 16;
const WRITES_IN_FLIGHT = 8;

/**
 * A term's posting document, `_id = <tenant>\u001f<term>`: `entries` is one JSON string (an
 * object product id -> tuple), which FerretDB stores and returns far cheaper than thousands of
 * sub-documents. Past SHARD_AT entries the term document keeps only `shards`/`gen` and the
 * entries live in `<tenant>\u001f<term>\u001f<gen>.<i>`, i = hash(product id) mod shards.
 * Every change happens under an insert lock on the document's `_id` (../mongo-insert-lock.ts):
 * FerretDB's own conditional updates are not atomic.
 */
interface PostingDocument {
  _id: string;
  tenant_id: string;
  rev: number;
  entries: string;
  shards?: number;
  gen?: string;
}

/**
 * Per product, `_id = <tenant>\u001f<product id>`: the terms it has entries under, the stamp
 * they were written with (kept for a gone product too, so an older state never comes back) and
 * the product as indexed (JSON), from which search pages are served.
 */
interface ProductTermsDocument {
  _id: string;
  tenant_id: string;
  terms: string[];
  version: number;
  rating_version: number;
  snapshot: string;
}

/** [brand, category, min, max, attribute pairs, in stock 0|1, status code, created ms, rating rank, version, rating version] */
type Tuple = [string, string, number, number, string[], number, string, number, number, number, number];

const STATUS_CODES: Record<ProductStatus, string> = { draft: "d", active: "a", archived: "r" };
const STATUSES: Record<string, ProductStatus> = { d: "draft", a: "active", r: "archived" };

/** The search index as posting documents read by `_id` (see docs/catalog.md, "Search"). */
export class MongoSearchIndex implements SearchIndex {
  readonly #postingTables: Collection<PostingDocument>[];
  readonly #productTables: Collection<ProductTermsDocument>[];
  readonly #locks: ReturnType<typeof insertLocks>;

  /** `tables`: collections per kind; every process on one database must use the same (tests use few: each is created on first use). */
  constructor(db: Db, options: { tables?: number } = {}) {
    const tables = options.tables ?? TABLES;
    this.#postingTables = Array.from({ length: tables }, (_, i) => db.collection<PostingDocument>(`${SEARCH_POSTINGS}_${i}`));
    this.#productTables = Array.from({ length: tables }, (_, i) =>
      db.collection<ProductTermsDocument>(`${SEARCH_PRODUCTS}_${i}`),
    );
    this.#locks = insertLocks(db, SEARCH_LOCKS, { code: "CATALOG.SEARCH_INDEX_LOCKED" });
  }

  /** Creates every collection of the index now (FerretDB creates one on first use, slowly). */
  async createCollections(db: Db): Promise<void> {
    const names = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    const wanted = [SEARCH_LOCKS, ...[...this.#postingTables, ...this.#productTables].map((c) => c.collectionName)];
    for (const name of wanted.filter((n) => !names.has(n))) {
      await db.createCollection(name).catch((error: { codeName?: string }) => {
        if (error.codeName !== "NamespaceExists") throw error;
      });
    }
  }

  async postings(tenantId: TenantId, terms: readonly string[]): Promise<SearchEntry[][]> {
    return Promise.all(
      terms.map(async (term) => {
        const id = postingId(tenantId, term);
        const head = await this.#postingsOf(id).findOne({ _id: id });
        if (!head) return [];
        if (!head.shards) return decode(head.entries);
        const shards = await Promise.all(
          Array.from({ length: head.shards }, (_, i) => {
            const shard = shardId(id, head.gen!, i);
            return this.#postingsOf(shard).findOne({ _id: shard });
          }),
        );
        return shards.flatMap((shard) => (shard ? decode(shard.entries) : []));
      }),
    );
  }

  /** One product at a time (locked): skip an older state, write the entry and removals, record the terms. */
  async index(tenantId: TenantId, product: IndexedProduct): Promise<void> {
    const id = postingId(tenantId, product.productId);
    // A gone product the index never held (e.g. a replayed event of a product deleted since):
    // nothing to do, and no lock. A concurrent older run is undone by the projector's re-read.
    if (!product.entry && !(await this.#productsOf(id).findOne({ _id: id }))) return;
    await this.#locks.withLock(id, async () => {
      const state = await this.#productsOf(id).findOne({ _id: id });
      if (state && compareStamps({ version: state.version, ratingVersion: state.rating_version }, product.stamp) > 0) return;
      const terms = new Set(product.terms);
      const union = [...new Set([...(state?.terms ?? []), ...terms])];
      const tuple = product.entry ? toTuple(product.entry, product.stamp) : undefined;
      const newer: string[] = [];
      await inBatches(union, WRITES_IN_FLIGHT, async (term) => {
        const value = tuple && terms.has(term) ? tuple : undefined;
        if (!(await this.#write(tenantId, term, product.productId, value, product.stamp))) newer.push(term);
      });
      await this.#productsOf(id).updateOne(
        { _id: id },
        {
          $set: {
            tenant_id: tenantId,
            terms: [...new Set([...terms, ...newer])],
            version: product.stamp.version,
            rating_version: product.stamp.ratingVersion,
            snapshot: product.snapshot ? JSON.stringify(product.snapshot) : "",
          },
        },
        { upsert: true },
      );
    });
  }

  async replaceAll(tenantId: TenantId, products: readonly IndexedProduct[]): Promise<void> {
    await Promise.all([...this.#postingTables, ...this.#productTables].map((table) => table.deleteMany({ tenant_id: tenantId })));
    const byTerm = new Map<string, Record<string, Tuple>>();
    for (const product of products) {
      if (!product.entry) continue;
      const tuple = toTuple(product.entry, product.stamp);
      for (const term of product.terms) {
        let entries = byTerm.get(term);
        if (!entries) {
          entries = {};
          byTerm.set(term, entries);
        }
        entries[product.productId] = tuple;
      }
    }
    const postings = [...byTerm].flatMap(([term, entries]) => postingDocuments(tenantId, term, entries));
    await insertSpread(this.#postingTables, postings);
    await insertSpread(
      this.#productTables,
      products.map((p) => ({
        _id: postingId(tenantId, p.productId),
        tenant_id: tenantId,
        terms: p.entry ? [...p.terms] : [],
        version: p.stamp.version,
        rating_version: p.stamp.ratingVersion,
        snapshot: p.snapshot ? JSON.stringify(p.snapshot) : "",
      })),
    );
  }

  async products(tenantId: TenantId, ids: readonly string[]): Promise<ProductSnapshot[]> {
    const docs = await Promise.all(
      ids.map((productId) => {
        const id = postingId(tenantId, productId);
        return this.#productsOf(id).findOne({ _id: id });
      }),
    );
    return docs.flatMap((d) => (d?.snapshot ? [parseSnapshot(d.snapshot)] : []));
  }

  #postingsOf(id: string): Collection<PostingDocument> {
    return this.#postingTables[bucketOf(id, this.#postingTables.length)]!;
  }

  #productsOf(id: string): Collection<ProductTermsDocument> {
    return this.#productTables[bucketOf(id, this.#productTables.length)]!;
  }

  /** Puts `value` (undefined = removes) for the product under `term`; false when a newer stamp is there. */
  async #write(tenantId: TenantId, term: string, productId: string, value: Tuple | undefined, stamp: IndexStamp) {
    const headId = postingId(tenantId, term);
    for (;;) {
      const head = await this.#postingsOf(headId).findOne({ _id: headId });
      const id = head?.shards ? shardId(headId, head.gen!, bucketOf(productId, head.shards)) : headId;
      const outcome = await this.#locks.withLock(id, async (): Promise<boolean | "split"> => {
        const doc = await this.#postingsOf(id).findOne({ _id: id });
        if (id === headId && doc?.shards) return "split";
        const entries = doc ? (JSON.parse(doc.entries) as Record<string, Tuple>) : {};
        const existing = entries[productId];
        if (existing && compareStamps({ version: existing[9], ratingVersion: existing[10] }, stamp) > 0) return false;
        if (!existing && !value) return true;
        if (value) entries[productId] = value;
        else delete entries[productId];
        if (doc && id === headId && Object.keys(entries).length > SHARD_AT) {
          await this.#split(tenantId, doc, entries);
          return true;
        }
        await this.#postingsOf(id).updateOne(
          { _id: id },
          { $set: { tenant_id: tenantId, entries: JSON.stringify(entries), rev: (doc?.rev ?? 0) + 1 } },
          { upsert: true },
        );
        return true;
      });
      if (outcome !== "split") return outcome;
    }
  }

  /** Under the term's lock: the entries move into shards of a new generation, then the term document points at them. */
  async #split(tenantId: TenantId, head: PostingDocument, entries: Record<string, Tuple>): Promise<void> {
    const gen = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    await insertSpread(this.#postingTables, shardDocuments(tenantId, head._id, gen, entries));
    await this.#postingsOf(head._id).updateOne(
      { _id: head._id },
      { $set: { entries: "{}", shards: SHARDS, gen, rev: head.rev + 1 } },
    );
  }
}

const postingId = (tenantId: TenantId, key: string) => `${tenantId}\u001f${key}`;
const shardId = (headId: string, gen: string, i: number) => `${headId}\u001f${gen}.${i}`;

function postingDocuments(tenantId: TenantId, term: string, entries: Record<string, Tuple>): PostingDocument[] {
  const id = postingId(tenantId, term);
  if (Object.keys(entries).length <= SHARD_AT)
    return [{ _id: id, tenant_id: tenantId, rev: 1, entries: JSON.stringify(entries) }];
  const gen = "0";
  return [
    { _id: id, tenant_id: tenantId, rev: 1, entries: "{}", shards: SHARDS, gen },
    ...shardDocuments(tenantId, id, gen, entries),
  ];
}

function shardDocuments(tenantId: TenantId, headId: string, gen: string, entries: Record<string, Tuple>): PostingDocument[] {
  const shards = Array.from({ length: SHARDS }, () => ({}) as Record<string, Tuple>);
  for (const [productId, tuple] of Object.entries(entries)) shards[bucketOf(productId, SHARDS)]![productId] = tuple;
  return shards.map((s, i) => ({ _id: shardId(headId, gen, i), tenant_id: tenantId, rev: 1, entries: JSON.stringify(s) }));
}

/** FNV-1a: a product's shard, a document's table; the same in every process. */
function bucketOf(key: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % buckets;
}

/** Inserts documents into their tables, a few tables at a time, in batches of about 4 MB. */
async function insertSpread<T extends { _id: string }>(tables: readonly Collection<T>[], docs: readonly T[]): Promise<void> {
  const byTable = new Map<number, T[]>();
  for (const doc of docs) {
    const table = bucketOf(doc._id, tables.length);
    const list = byTable.get(table) ?? [];
    list.push(doc);
    byTable.set(table, list);
  }
  await inBatches([...byTable], 4, async ([table, list]) => {
    let batch: T[] = [];
    let bytes = 0;
    for (const doc of list) {
      batch.push(doc);
      bytes += JSON.stringify(doc).length;
      if (bytes > 4_000_000 || batch.length >= 1_000) {
        await tables[table]!.insertMany(batch as never[], { ordered: false });
        batch = [];
        bytes = 0;
      }
    }
    if (batch.length > 0) await tables[table]!.insertMany(batch as never[], { ordered: false });
  });
}

function parseSnapshot(json: string): ProductSnapshot {
  const s = JSON.parse(json) as ProductSnapshot & { createdAt: string; updatedAt: string };
  return { ...s, createdAt: new Date(s.createdAt), updatedAt: new Date(s.updatedAt) };
}

function toTuple(e: SearchEntry, stamp: IndexStamp): Tuple {
  return [
    e.brand,
    e.categoryId,
    e.minPriceMinor,
    e.maxPriceMinor,
    [...e.attributePairs],
    e.inStock ? 1 : 0,
    STATUS_CODES[e.status],
    e.createdMs,
    e.ratingRank,
    stamp.version,
    stamp.ratingVersion,
  ];
}

function decode(json: string): SearchEntry[] {
  const out: SearchEntry[] = [];
  for (const [productId, t] of Object.entries(JSON.parse(json) as Record<string, Tuple>)) {
    out.push({
      productId,
      brand: t[0],
      categoryId: t[1],
      minPriceMinor: t[2],
      maxPriceMinor: t[3],
      attributePairs: t[4],
      inStock: t[5] === 1,
      status: STATUSES[t[6]]!,
      createdMs: t[7],
      ratingRank: t[8],
    });
  }
  return out;
}

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}
