import type { ProductStatus } from "../../../core/catalog/product-content.ts";
import type { SearchEntry } from "../../../core/catalog/search-index.ts";

/**
 * A posting document's `entries` string, packed: the brands, categories and attribute-pair
 * sets of its entries are written once each (`b`, `c`, `a`) and an entry refers to them by
 * position; creation times are offsets from the document's earliest (`t`). About half the bytes
 * of one object keyed by product id, which FerretDB/SQLite scans on every lookup of the
 * document's table, and an array of arrays that Node parses faster. An entry:
 * [product id, brand #, category #, min price, max price, attribute set #, status # x 2 + in stock,
 * created - t, rating rank, version, rating version].
 */
interface Packed {
  readonly v: 2;
  readonly b: string[];
  readonly c: string[];
  readonly a: string[][];
  readonly t: number;
  readonly e: PackedEntry[];
}

type PackedEntry = [string, number, number, number, number, number, number, number, number, number, number];

/** The unpacked form (session 2): an object product id -> this tuple; still read, never written. */
type LegacyTuple = [string, string, number, number, string[], number, string, number, number, number, number];

const STATUSES: readonly ProductStatus[] = ["draft", "active", "archived"];
const LEGACY_STATUSES: Record<string, ProductStatus> = { d: "draft", a: "active", r: "archived" };

/** Packs the entries of one posting document (any order; decoding keeps it). */
export function encodeEntries(entries: Iterable<SearchEntry>): string {
  const list = [...entries];
  const brands = new Dictionary<string>((s) => s);
  const categories = new Dictionary<string>((s) => s);
  const attributeSets = new Dictionary<readonly string[]>((pairs) => pairs.join("\u001f"));
  const t = list.reduce((min, entry) => Math.min(min, entry.createdMs), Number.POSITIVE_INFINITY);
  const base = Number.isFinite(t) ? t : 0;
  const packed: Packed = {
    v: 2,
    b: brands.values as string[],
    c: categories.values as string[],
    a: attributeSets.values as string[][],
    t: base,
    e: list.map((entry) => [
      entry.productId,
      brands.code(entry.brand),
      categories.code(entry.categoryId),
      entry.minPriceMinor,
      entry.maxPriceMinor,
      attributeSets.code(entry.attributePairs),
      STATUSES.indexOf(entry.status) * 2 + (entry.inStock ? 1 : 0),
      entry.createdMs - base,
      entry.ratingRank,
      entry.stamp.version,
      entry.stamp.ratingVersion,
    ]),
  };
  return JSON.stringify(packed);
}

/** The entries of one posting document by product id (the writers' view). */
export function decodeEntryMap(json: string): Map<string, SearchEntry> {
  const out = new Map<string, SearchEntry>();
  visit(json, (entry) => out.set(entry.productId, entry));
  return out;
}

/** The entries of one posting document (the search's view). */
export function decodeEntries(json: string): SearchEntry[] {
  const out: SearchEntry[] = [];
  visit(json, (entry) => out.push(entry));
  return out;
}

function visit(json: string, each: (entry: SearchEntry) => void): void {
  const parsed = JSON.parse(json) as Packed | Record<string, LegacyTuple>;
  if (isPacked(parsed)) {
    for (const e of parsed.e) {
      each({
        productId: e[0],
        brand: parsed.b[e[1]]!,
        categoryId: parsed.c[e[2]]!,
        minPriceMinor: e[3],
        maxPriceMinor: e[4],
        attributePairs: parsed.a[e[5]]!,
        inStock: e[6] % 2 === 1,
        status: STATUSES[e[6] >> 1]!,
        createdMs: parsed.t + e[7],
        ratingRank: e[8],
        stamp: { version: e[9], ratingVersion: e[10] },
      });
    }
    return;
  }
  for (const [productId, t] of Object.entries(parsed)) {
    each({
      productId,
      brand: t[0],
      categoryId: t[1],
      minPriceMinor: t[2],
      maxPriceMinor: t[3],
      attributePairs: t[4],
      inStock: t[5] === 1,
      status: LEGACY_STATUSES[t[6]]!,
      createdMs: t[7],
      ratingRank: t[8],
      stamp: { version: t[9], ratingVersion: t[10] },
    });
  }
}

function isPacked(parsed: Packed | Record<string, LegacyTuple>): parsed is Packed {
  return (parsed as Packed).v === 2 && Array.isArray((parsed as Packed).e);
}

/** Values numbered in first-seen order. */
class Dictionary<T> {
  readonly values: T[] = [];
  readonly #codes = new Map<string, number>();
  readonly #keyOf: (value: T) => string;

  constructor(keyOf: (value: T) => string) {
    this.#keyOf = keyOf;
  }

  code(value: T): number {
    const key = this.#keyOf(value);
    let code = this.#codes.get(key);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.#codes.set(key, code);
    }
    return code;
  }
}
