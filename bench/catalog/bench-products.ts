// Deterministic synthetic products for the catalog benchmark. Words come from a fixed vocabulary
// with a skewed (Zipf-like) frequency, so a query word matches the same share of the catalog at
// 10k and at 100k products: the match set grows with the catalog, as it does for real shops.
import type { CategorySnapshot } from "../../core/catalog/category.ts";
import type { NewProduct } from "../../core/catalog/product.ts";
import type { TenantId } from "../../core/kit/request-context.ts";

export const BENCH_TENANT = "bench";
export const GET_PRODUCT_ID = "bench-product";
const CATEGORY_COUNT = 20;
const SYLLABLES = ["ka", "lo", "mi", "ren", "tu", "sa", "vor", "pel", "din", "quo", "bra", "zet", "fi", "nol", "ux", "gar"];
const VOCABULARY = Array.from({ length: 2_000 }, (_, i) => word(i));
const BRANDS = Array.from({ length: 200 }, (_, i) => `Brand${word(i + 7_000)}`);
const COLORS = ["black", "white", "red", "blue", "green", "grey", "silver", "gold", "pink", "orange"];

function word(n: number): string {
  let text = "";
  let rest = n + SYLLABLES.length;
  while (rest > 0) {
    text += SYLLABLES[rest % SYLLABLES.length];
    rest = Math.floor(rest / SYLLABLES.length);
  }
  return text;
}

/** mulberry32: the same products on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Rank r with probability ~ 1/r (r >= 1) over the vocabulary. */
function zipfWord(next: () => number): string {
  const rank = Math.floor(Math.exp(next() * Math.log(VOCABULARY.length)));
  return VOCABULARY[Math.min(rank, VOCABULARY.length) - 1]!;
}

export function benchCategories(tenantId: TenantId, now: Date): CategorySnapshot[] {
  return Array.from({ length: CATEGORY_COUNT }, (_, i) => ({
    tenantId,
    id: `cat-${i}`,
    creationKey: `bench-cat-${i}`,
    parentId: "",
    ancestorIds: [],
    name: `Category ${i}`,
    slug: `category-${i}`,
    attributeSpecs: [],
    createdAt: now,
    updatedAt: now,
    version: 1,
  }));
}

export function benchProduct(tenantId: TenantId, n: number): NewProduct {
  const next = random(n + 1_000_003);
  const words = (count: number) => Array.from({ length: count }, () => zipfWord(next)).join(" ");
  const color = COLORS[Math.floor(next() * COLORS.length)]!;
  return {
    tenantId,
    id: `p-${n}`,
    creationKey: `bench-${n}`,
    currency: "EUR",
    content: {
      name: `${words(3)} ${lineWord(n)}`,
      description: `${words(25)}`,
      brand: BRANDS[Math.floor(next() * BRANDS.length)]!,
      categoryId: `cat-${Math.floor(next() * CATEGORY_COUNT)}`,
      images: [{ url: `https://img.example.com/${n}.png`, altText: "" }],
      attributes: [{ name: "color", value: color }],
      variants: [
        {
          sku: `SKU-${n}`,
          price: { amountMinor: 500 + Math.floor(next() * 200_000), currency: "EUR" },
          attributes: [{ name: "size", value: String(36 + Math.floor(next() * 12)) }],
        },
      ],
      taxClass: "",
      status: "active",
    },
  };
}

/** A product line: LINE_SIZE consecutive products share this word, however big the catalog. */
const LINE_SIZE = 25;
const lineWord = (n: number) => `ln${Math.floor(n / LINE_SIZE)}`;

/**
 * Selective queries: two product-line words among the first 10k products, so each matches
 * 2 x LINE_SIZE products at 10k and at 100k alike (bounded matches).
 */
export function benchSelectiveQueries(count: number): string[] {
  const next = random(7);
  const lines = 10_000 / LINE_SIZE;
  return Array.from(
    { length: count },
    () => `${lineWord(Math.floor(next() * lines) * LINE_SIZE)} ${lineWord(Math.floor(next() * lines) * LINE_SIZE)}`,
  );
}

/**
 * The broad search queries, two words each: a common word (rank 20..60) with a middling one (rank
 * 200..400). Scoring counts matched words, so any product with either word is a match.
 */
export function benchQueries(count: number): string[] {
  const next = random(42);
  return Array.from({ length: count }, () => {
    const common = VOCABULARY[20 + Math.floor(next() * 40)]!;
    const middling = VOCABULARY[200 + Math.floor(next() * 200)]!;
    return `${common} ${middling}`;
  });
}
