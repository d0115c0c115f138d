import type { Collection, Db, IndexDescription } from "mongodb";
import type { ProductSnapshot } from "../../../core/catalog/product.ts";
import {
  compareStamps,
  type IndexedProduct,
  type IndexStamp,
  type ProductRef,
  type SearchEntry,
  type SearchIndex,
} from "../../../core/catalog/search-index.ts";
import type { TenantId } from "../../../core/kit/request-context.ts";
import { insertLocks } from "../mongo-insert-lock.ts";
import { decodeEntries, decodeEntryMap, encodeEntries } from "./mongo-search-index-codec.ts";
import { IndexedCopies } from "./mongo-search-index-copies.ts";
import { DecodedShards } from "./mongo-search-index-shard-cache.ts";

export const SEARCH_POSTINGS = "search_postings";
export const SEARCH_SHARDS = "search_shards";
export const SEARCH_PRODUCTS = "search_products";
export const SEARCH_LOCKS = "search_locks";
export const SEARCH_HEADS = "search_heads";
/**
 * Documents are spread over TABLES collections per kind (`search_postings_<n>`,
 * `search_shards_<n>`, `search_products_<n>`, n = hash(_id) mod TABLES): FerretDB 1.24 on
 * SQLite pushes an `_id` filter down but still SCANS the table (its `_id` index is not used;
 * `explain` shows "SCAN"), so a lookup costs the bytes of its table. Smaller tables = cheaper
 * lookups; hence the shards of split terms (most of the index's bytes) have tables of their own,
 * and a term document's lookup scans only term documents.
 */
export const TABLES = 256;
/** Tables of shard heads (tiny documents: a few per split term), at most TABLES. */
export const HEAD_TABLES = 16;
/** Lookups are by `_id` only; no secondary index (rebuilds scan the tables). */
export const searchIndexIndexes: Readonly<Record<string, readonly IndexDescription[]>> = {};

/** A term document holds its entries until it has more than this many, then they move into SHARDS shards. */
export const SHARD_AT = 1_000;
/**
 * Shards of a new split (a term document names its own count, so a change applies to later
 * splits only). A search reads every shard of a split term, each lookup a scan of its table, so
 * fewer shards = fewer scans per read, at the cost of bigger shard rewrites per write (4 packed
 * shards of a 9,000-entry term are ~100 KB each; measured at 100k products, docs/catalog.md).
 */
export const SHARDS = 4;
const WRITES_IN_FLIGHT = 8;
/** Default bound of the product copies kept in process (IndexedCopies), in JSON characters. */
export const COPIES_BYTES = 32_000_000;
/** Default bound of the decoded shard revisions kept in process (DecodedShards), in estimated heap bytes. */
export const SHARD_CACHE_BYTES = 256_000_000;
/** Heap of one decoded entry, measured on Node 24 (~3.6 x its packed JSON); the cache's bound counts this. */
const DECODED_ENTRY_BYTES = 220;
/** Reads of a shard that a writer moved on under (head read, then its revision gone) before reading it under the lock. */
const SHARD_READ_TRIES = 3;

/**
 * A term's posting document, `_id = <tenant>\u001f<term>`: `entries` is one JSON string (packed,
 * ./mongo-search-index-codec.ts), which FerretDB stores and returns far cheaper than thousands of
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
  /** The shards are in the `search_shards_<n>` tables (split since session 3; before, with the term documents). */
  apart?: boolean;
  /**
   * The shards are immutable revisions `<shard id>.<rev>.<writer>` (`search_shards_<n>`), the current
   * one named by the shard's head (`search_heads_<n>`, `_id = <shard id>`); split since session 4.
   */
  heads?: boolean;
}

/** Names a shard's current revision; changed only under the shard's lock. */
interface ShardHead {
  _id: string;
  tenant_id: string;
  rev: number;
  /** The current revision's `_id`. */
  at: string;
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

/** The search index as posting documents read by `_id` (see docs/catalog.md, "Search"). */
export class MongoSearchIndex implements SearchIndex {
  readonly #postingTables: Collection<PostingDocument>[];
  readonly #shardTables: Collection<PostingDocument>[];
  readonly #productTables: Collection<ProductTermsDocument>[];
  readonly #headTables: Collection<ShardHead>[];
  readonly #locks: ReturnType<typeof insertLocks>;
  readonly #copies: IndexedCopies;
  readonly #decoded: DecodedShards;
  readonly #shards: number;
  /** Entries past which a term is split into shards (SHARD_AT by default). */
  readonly #shardAt: number;

  /**
   * `tables`: collections per kind; every process on one database must use the same (tests use
   * few: each is created on first use). `shards`: shards of a term split from now on.
   * `copiesBytes`: bound of the page copies kept in this process (0 = none). `shardCacheBytes`:
   * bound of the decoded shard revisions kept in this process, in estimated heap bytes (0 = none).
   */
  constructor(
    db: Db,
    options: { tables?: number; shards?: number; shardAt?: number; copiesBytes?: number; shardCacheBytes?: number } = {},
  ) {
    const tables = options.tables ?? TABLES;
    this.#shards = options.shards ?? SHARDS;
    this.#shardAt = options.shardAt ?? SHARD_AT;
    this.#copies = new IndexedCopies(options.copiesBytes ?? COPIES_BYTES);
    this.#decoded = new DecodedShards(options.shardCacheBytes ?? SHARD_CACHE_BYTES);
    this.#headTables = Array.from({ length: Math.min(tables, HEAD_TABLES) }, (_, i) =>
      db.collection<ShardHead>(`${SEARCH_HEADS}_${i}`),
    );
    this.#postingTables = Array.from({ length: tables }, (_, i) => db.collection<PostingDocument>(`${SEARCH_POSTINGS}_${i}`));
    this.#shardTables = Array.from({ length: tables }, (_, i) => db.collection<PostingDocument>(`${SEARCH_SHARDS}_${i}`));
    this.#productTables = Array.from({ length: tables }, (_, i) =>
      db.collection<ProductTermsDocument>(`${SEARCH_PRODUCTS}_${i}`),
    );
    this.#locks = insertLocks(db, SEARCH_LOCKS, { code: "CATALOG.SEARCH_INDEX_LOCKED" });
  }

  /** Creates every collection of the index now (FerretDB creates one on first use, slowly). */
  async createCollections(db: Db): Promise<void> {
    const names = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    const wanted = [SEARCH_LOCKS, ...this.#tables().map((c) => c.collectionName)];
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
        if (!head.shards) return decodeEntries(head.entries);
        if (head.heads) {
          const shards = await Promise.all(
            Array.from({ length: head.shards }, (_, i) => this.#currentEntries(tenantId, shardId(id, head.gen!, i))),
          );
          return shards.flat();
        }
        const shards = await Promise.all(
          Array.from({ length: head.shards }, (_, i) => {
            const shard = shardId(id, head.gen!, i);
            return this.#shardsOf(head, shard).findOne({ _id: shard });
          }),
        );
        return shards.flatMap((shard) => (shard ? decodeEntries(shard.entries) : []));
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
      const entry = product.entry;
      const newer: string[] = [];
      await inBatches(union, WRITES_IN_FLIGHT, async (term) => {
        const value = entry && terms.has(term) ? entry : undefined;
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

  /** Also forgets this process's copies and shards of the tenant: a rebuilt index starts cold here. */
  async replaceAll(tenantId: TenantId, products: readonly IndexedProduct[]): Promise<void> {
    this.#copies.forgetTenant(tenantId);
    this.#decoded.forgetTenant(tenantId);
    await Promise.all(this.#tables().map((table) => table.deleteMany({ tenant_id: tenantId })));
    const byTerm = new Map<string, SearchEntry[]>();
    for (const product of products) {
      if (!product.entry) continue;
      for (const term of product.terms) {
        let entries = byTerm.get(term);
        if (!entries) {
          entries = [];
          byTerm.set(term, entries);
        }
        entries.push(product.entry);
      }
    }
    const heads: PostingDocument[] = [];
    const shards: PostingDocument[] = [];
    const shardHeads: ShardHead[] = [];
    // A new generation: other processes may keep revisions of the index replaced here.
    const gen = newGeneration();
    for (const [term, entries] of byTerm) {
      const id = postingId(tenantId, term);
      if (entries.length <= this.#shardAt) {
        heads.push({ _id: id, tenant_id: tenantId, rev: 1, entries: encodeEntries(entries) });
        continue;
      }
      heads.push({
        _id: id,
        tenant_id: tenantId,
        rev: 1,
        entries: encodeEntries([]),
        shards: this.#shards,
        gen,
        apart: true,
        heads: true,
      });
      const split = splitDocuments(tenantId, id, gen, entries, this.#shards);
      shards.push(...split.revisions);
      shardHeads.push(...split.heads);
    }
    await insertSpread(this.#postingTables, heads);
    await insertSpread(this.#shardTables, shards);
    await insertSpread(this.#headTables, shardHeads);
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

  /** A copy kept in process answers when its stamp is the one asked for; the others are read by `_id` (in parallel). */
  async products(tenantId: TenantId, wanted: readonly ProductRef[]): Promise<ProductSnapshot[]> {
    const found = await Promise.all(
      wanted.map(async ({ productId, stamp }) => {
        const kept = stamp && this.#copies.get(tenantId, productId, stamp);
        if (kept) return kept;
        const id = postingId(tenantId, productId);
        const doc = await this.#productsOf(id).findOne({ _id: id });
        if (!doc?.snapshot) return undefined;
        const snapshot = parseSnapshot(doc.snapshot);
        const indexed = { version: doc.version, ratingVersion: doc.rating_version };
        this.#copies.put(tenantId, productId, indexed, snapshot, doc.snapshot.length);
        return snapshot;
      }),
    );
    return found.filter((p) => p !== undefined);
  }

  #tables(): Collection<PostingDocument | ProductTermsDocument>[] {
    return [...this.#postingTables, ...this.#shardTables, ...this.#productTables, ...this.#headTables] as Collection<
      PostingDocument | ProductTermsDocument
    >[];
  }

  #headsOf(id: string): Collection<ShardHead> {
    return this.#headTables[bucketOf(id, this.#headTables.length)]!;
  }

  #revisionsOf(id: string): Collection<PostingDocument> {
    return this.#shardTables[bucketOf(id, this.#shardTables.length)]!;
  }

  /**
   * The entries of a shard's current revision: its head, then that revision from this process's
   * kept ones or the store. Gone meanwhile (a writer moved on): read the head again; after a few
   * tries, read both under the shard's lock, where no writer moves on.
   */
  async #currentEntries(tenantId: TenantId, shard: string): Promise<readonly SearchEntry[]> {
    for (let tried = 0; tried < SHARD_READ_TRIES; tried++) {
      const head = await this.#headsOf(shard).findOne({ _id: shard });
      if (!head) return []; // the tenant's index was replaced since the term document was read
      const revision = head.at;
      const kept = this.#decoded.get(tenantId, revision);
      if (kept) return kept;
      const doc = await this.#revisionsOf(revision).findOne({ _id: revision });
      if (!doc) continue;
      const entries = decodeEntries(doc.entries);
      this.#decoded.put(tenantId, revision, entries, entries.length * DECODED_ENTRY_BYTES);
      return entries;
    }
    return this.#locks.withLock(shard, async () => {
      const head = await this.#headsOf(shard).findOne({ _id: shard });
      if (!head) return [];
      const doc = await this.#revisionsOf(head.at).findOne({ _id: head.at });
      return doc ? decodeEntries(doc.entries) : [];
    });
  }

  #postingsOf(id: string): Collection<PostingDocument> {
    return this.#postingTables[bucketOf(id, this.#postingTables.length)]!;
  }

  /** Where a shard of this term document lives. */
  #shardsOf(head: PostingDocument, id: string): Collection<PostingDocument> {
    const tables = head.apart ? this.#shardTables : this.#postingTables;
    return tables[bucketOf(id, tables.length)]!;
  }

  #productsOf(id: string): Collection<ProductTermsDocument> {
    return this.#productTables[bucketOf(id, this.#productTables.length)]!;
  }

  /** Puts `value` (undefined = removes) for the product under `term`; false when a newer stamp is there. */
  async #write(tenantId: TenantId, term: string, productId: string, value: SearchEntry | undefined, stamp: IndexStamp) {
    const headId = postingId(tenantId, term);
    for (;;) {
      const head = await this.#postingsOf(headId).findOne({ _id: headId });
      if (head?.heads) {
        const shard = shardId(headId, head.gen!, bucketOf(productId, head.shards!));
        return this.#locks.withLock(shard, () => this.#writeRevision(tenantId, shard, productId, value, stamp));
      }
      const id = head?.shards ? shardId(headId, head.gen!, bucketOf(productId, head.shards)) : headId;
      const table = head?.shards ? this.#shardsOf(head, id) : this.#postingsOf(id);
      const outcome = await this.#locks.withLock(id, async (): Promise<boolean | "split"> => {
        const doc = await table.findOne({ _id: id });
        if (id === headId && doc?.shards) return "split";
        const entries = doc ? decodeEntryMap(doc.entries) : new Map<string, SearchEntry>();
        const existing = entries.get(productId);
        if (existing && compareStamps(existing.stamp, stamp) > 0) return false;
        if (!existing && !value) return true;
        if (value) entries.set(productId, value);
        else entries.delete(productId);
        if (doc && id === headId && entries.size > this.#shardAt) {
          await this.#split(tenantId, doc, [...entries.values()]);
          return true;
        }
        await table.updateOne(
          { _id: id },
          { $set: { tenant_id: tenantId, entries: encodeEntries(entries.values()), rev: (doc?.rev ?? 0) + 1 } },
          { upsert: true },
        );
        return true;
      });
      if (outcome !== "split") return outcome;
    }
  }

  /**
   * Under the shard's lock: the changed entries become a new revision under an `_id` never used
   * before (inserted, never replaced: a revision's content is fixed by its `_id`), the head names
   * it, the revision before goes. A writer that died between insert and head left an orphan no
   * head names (removed by the next rebuild). A reader holding the old head finds its revision
   * gone and reads again.
   */
  async #writeRevision(
    tenantId: TenantId,
    shard: string,
    productId: string,
    value: SearchEntry | undefined,
    stamp: IndexStamp,
  ): Promise<boolean> {
    const head = await this.#headsOf(shard).findOne({ _id: shard });
    const current = head ? await this.#revisionsOf(head.at).findOne({ _id: head.at }) : null;
    if (head && !current) throw new Error(`search shard ${shard} names revision ${head.at}, which is gone`);
    const entries = current ? decodeEntryMap(current.entries) : new Map<string, SearchEntry>();
    const existing = entries.get(productId);
    if (existing && compareStamps(existing.stamp, stamp) > 0) return false;
    if (!existing && !value) return true;
    if (value) entries.set(productId, value);
    else entries.delete(productId);
    const rev = (head?.rev ?? 0) + 1;
    const at = revisionId(shard, rev, newGeneration());
    await this.#revisionsOf(at).insertOne({ _id: at, tenant_id: tenantId, rev, entries: encodeEntries(entries.values()) });
    await this.#headsOf(shard).updateOne({ _id: shard }, { $set: { tenant_id: tenantId, rev, at } }, { upsert: true });
    if (current) await this.#revisionsOf(current._id).deleteOne({ _id: current._id });
    return true;
  }

  /** Under the term's lock: the entries move into shards of a new generation, then the term document points at them. */
  async #split(tenantId: TenantId, head: PostingDocument, entries: readonly SearchEntry[]): Promise<void> {
    const gen = newGeneration();
    const split = splitDocuments(tenantId, head._id, gen, entries, this.#shards);
    await insertSpread(this.#shardTables, split.revisions);
    await insertSpread(this.#headTables, split.heads);
    await this.#postingsOf(head._id).updateOne(
      { _id: head._id },
      { $set: { entries: encodeEntries([]), shards: this.#shards, gen, apart: true, heads: true, rev: head.rev + 1 } },
    );
  }
}

const postingId = (tenantId: TenantId, key: string) => `${tenantId}\u001f${key}`;
const shardId = (headId: string, gen: string, i: number) => `${headId}\u001f${gen}.${i}`;
/** `writer`: unique per write, so two writers of one revision number (a lock broken while its holder lived) never share an `_id`. */
const revisionId = (shard: string, rev: number, writer: string) => `${shard}.${rev}.${writer}`;
/** Unique per split or rebuild, so a revision `_id` is never reused for other entries. */
const newGeneration = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** A split term's first revisions (rev 1) and the heads naming them. */
function splitDocuments(
  tenantId: TenantId,
  headId: string,
  gen: string,
  entries: readonly SearchEntry[],
  count: number,
): { revisions: PostingDocument[]; heads: ShardHead[] } {
  const shards = Array.from({ length: count }, () => [] as SearchEntry[]);
  for (const entry of entries) shards[bucketOf(entry.productId, count)]!.push(entry);
  return {
    revisions: shards.map((s, i) => ({
      _id: revisionId(shardId(headId, gen, i), 1, "0"), // unique: the gen is new
      tenant_id: tenantId,
      rev: 1,
      entries: encodeEntries(s),
    })),
    heads: shards.map((_, i) => ({
      _id: shardId(headId, gen, i),
      tenant_id: tenantId,
      rev: 1,
      at: revisionId(shardId(headId, gen, i), 1, "0"),
    })),
  };
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

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}
