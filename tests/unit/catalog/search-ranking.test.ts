import { describe, expect, it } from "vitest";
import type { ProductFilter } from "../../../core/catalog/product-query.ts";
import type { SearchEntry } from "../../../core/catalog/search-index.ts";
import { FACET_LIMIT, rankPostings } from "../../../core/catalog/search-ranking.ts";
import { queryTerms } from "../../../core/catalog/search-terms.ts";

const active: ProductFilter = { statuses: ["active"] };

function entry(productId: string, overrides: Partial<SearchEntry> = {}): SearchEntry {
  return {
    productId,
    brand: "Acme",
    categoryId: "shoes",
    minPriceMinor: 1_000,
    maxPriceMinor: 2_000,
    attributePairs: ["color=red"],
    inStock: true,
    status: "active",
    createdMs: 1,
    ratingRank: 0,
    stamp: { version: 1, ratingVersion: 0 },
    ...overrides,
  };
}

const page = (filter: ProductFilter = active) => ({ filter, offset: 0, pageSize: 20, facets: true, facetAttributes: ["color"] });

describe("search ranking over posting lists", () => {
  it("when products match different numbers of terms, then more matched terms rank first, ties by product id", () => {
    const ranked = rankPostings(
      [
        [entry("c"), entry("b"), entry("a")],
        [entry("b"), entry("d")],
        [entry("b"), entry("c")],
      ],
      page(),
    );
    expect(ranked.productIds).toEqual(["b", "c", "a", "d"]);
    expect(ranked.total).toBe(4);
  });

  it("when a filter is set, then only passing products count, in the page, the total and the facets", () => {
    const postings = [
      [
        entry("cheap", { minPriceMinor: 100, maxPriceMinor: 100 }),
        entry("blue", { attributePairs: ["color=blue"] }),
        entry("nike", { brand: "Nike" }),
        entry("draft", { status: "draft" }),
        entry("out", { inStock: false }),
        entry("bags", { categoryId: "bags" }),
      ],
    ];
    const only = (filter: Partial<ProductFilter>) => rankPostings(postings, page({ ...active, ...filter })).productIds;
    expect(only({ minPriceMinor: 500 })).not.toContain("cheap");
    expect(only({ maxPriceMinor: 500 })).toEqual(["cheap"]);
    expect(only({ brands: ["nike"] })).toEqual(["nike"]);
    expect(only({ attributes: [{ name: "color", values: ["blue", "green"] }] })).toEqual(["blue"]);
    expect(only({ inStockOnly: true })).not.toContain("out");
    expect(only({ categoryIds: ["bags"] })).toEqual(["bags"]);
    expect(only({})).not.toContain("draft");
    expect(only({ statuses: ["draft"] })).toEqual(["draft"]);
    const ranked = rankPostings(postings, page({ ...active, brands: ["nike"] }));
    expect(ranked.total).toBe(1);
    expect(ranked.facets).toEqual([
      { field: "brand", values: [{ value: "Nike", count: 1 }] },
      { field: "category_id", values: [{ value: "shoes", count: 1 }] },
      { field: "color", values: [{ value: "red", count: 1 }] },
    ]);
  });

  it("when facets are counted, then each product counts once per value, most frequent first, at most 50 values", () => {
    const many = Array.from({ length: 60 }, (_, i) => entry(`p${i}`, { brand: `B${String(i).padStart(2, "0")}` }));
    const ranked = rankPostings([many, many.slice(0, 3)], page());
    const brands = ranked.facets.find((f) => f.field === "brand")!.values;
    expect(brands).toHaveLength(FACET_LIMIT);
    expect(brands[0]).toEqual({ value: "B00", count: 1 });
    expect(ranked.facets.find((f) => f.field === "color")!.values).toEqual([{ value: "red", count: 60 }]);
    expect(rankPostings([many], { ...page(), facets: false }).facets).toEqual([]);
  });

  it("when pages are asked by offset, then they cut the same order without overlap", () => {
    const entries = Array.from({ length: 25 }, (_, i) => entry(`p${String(i).padStart(2, "0")}`));
    const first = rankPostings([entries], { ...page(), pageSize: 10 });
    const third = rankPostings([entries], { ...page(), pageSize: 10, offset: 20 });
    expect(first.productIds).toHaveLength(10);
    expect(third.productIds).toEqual(["p20", "p21", "p22", "p23", "p24"]);
  });

  it("when a sort is named, then it replaces relevance, ties by product id", () => {
    const entries = [
      entry("a", { minPriceMinor: 300, maxPriceMinor: 300, createdMs: 1 }),
      entry("b", { minPriceMinor: 100, maxPriceMinor: 900, createdMs: 3 }),
      entry("c", { minPriceMinor: 100, maxPriceMinor: 100, createdMs: 2 }),
    ];
    expect(rankPostings([entries], { ...page(), sort: "price_ascending" }).productIds).toEqual(["b", "c", "a"]);
    expect(rankPostings([entries], { ...page(), sort: "price_descending" }).productIds).toEqual(["b", "a", "c"]);
    expect(rankPostings([entries], { ...page(), sort: "newest" }).productIds).toEqual(["b", "c", "a"]);
  });

  it("when every sort meets equal keys, then ties go by product id ascending whatever the posting order", () => {
    // Ids arrive in reverse and the keys are all equal: only the tiebreak orders them.
    const same = ["e", "d", "c", "b", "a"].map((id) =>
      entry(id, { minPriceMinor: 500, maxPriceMinor: 500, createdMs: 7, ratingRank: 3 }),
    );
    for (const sort of ["newest", "price_ascending", "price_descending", "rating"] as const)
      expect(rankPostings([same], { ...page(), sort }).productIds, sort).toEqual(["a", "b", "c", "d", "e"]);
    const rated = [entry("low", { ratingRank: 1 }), entry("top", { ratingRank: 9 }), entry("mid", { ratingRank: 5 })];
    expect(rankPostings([rated], { ...page(), sort: "rating" }).productIds).toEqual(["top", "mid", "low"]);
  });

  it("when a sort is named, then relevance no longer counts: a product under more terms does not move up", () => {
    const cheap = entry("z-cheap", { minPriceMinor: 10, maxPriceMinor: 10 });
    const dear = entry("a-dear", { minPriceMinor: 900, maxPriceMinor: 900 });
    const ranked = rankPostings([[dear, cheap], [dear], [dear]], { ...page(), sort: "price_ascending" });
    expect(ranked.productIds).toEqual(["z-cheap", "a-dear"]);
    expect(rankPostings([[dear, cheap], [dear]], page()).productIds).toEqual(["a-dear", "z-cheap"]);
  });

  it("when sorted pages are asked by offset, then together they are the whole sorted match set, each product once", () => {
    // 23 products, prices with many ties (i mod 5), created in another order (i * 7 mod 23).
    const entries = Array.from({ length: 23 }, (_, i) =>
      entry(`p${String(i).padStart(2, "0")}`, {
        minPriceMinor: (i % 5) * 100,
        maxPriceMinor: (i % 5) * 100 + 50,
        createdMs: (i * 7) % 23,
      }),
    );
    for (const sort of ["newest", "price_ascending", "price_descending"] as const) {
      const whole = rankPostings([entries], { ...page(), sort, pageSize: 100 }).productIds;
      const paged = [0, 10, 20].flatMap(
        (offset) => rankPostings([entries], { ...page(), sort, pageSize: 10, offset }).productIds,
      );
      expect(paged, sort).toEqual(whole);
      expect(new Set(paged).size).toBe(23);
    }
    const ascending = rankPostings([entries], { ...page(), sort: "price_ascending", pageSize: 100 }).productIds;
    expect(ascending.slice(0, 5)).toEqual(["p00", "p05", "p10", "p15", "p20"]);
    const newest = rankPostings([entries], { ...page(), sort: "newest", pageSize: 3 }).productIds;
    // createdMs 22, 21, 20 belong to i = 13, 3, 16 ((i * 7) mod 23).
    expect(newest).toEqual(["p13", "p03", "p16"]);
  });

  it("when a page is a small part of many matches, then it is the same cut of the same order as sorting them all", () => {
    // 600 matches with many equal keys (only the tiebreak orders those), in shuffled id order.
    const entries = Array.from({ length: 600 }, (_, i) => {
      const n = (i * 379) % 600;
      return entry(`p${String(n).padStart(3, "0")}`, {
        minPriceMinor: (n % 17) * 10,
        maxPriceMinor: (n % 13) * 10 + 200,
        createdMs: n % 11,
        ratingRank: n % 5,
      });
    });
    const twice = entries.filter((_, i) => i % 7 === 0);
    const thrice = entries.filter((_, i) => i % 5 === 0);
    for (const sort of [undefined, "newest", "price_ascending", "price_descending", "rating"] as const) {
      const whole = rankPostings([entries, twice, thrice], { ...page(), sort, pageSize: 600 }).productIds;
      expect(new Set(whole).size, sort).toBe(600);
      for (const offset of [0, 20, 40, 580]) {
        const cut = rankPostings([entries, twice, thrice], { ...page(), sort, pageSize: 20, offset });
        expect(cut.productIds, `${sort} ${offset}`).toEqual(whole.slice(offset, offset + 20));
        expect(cut.total).toBe(600);
      }
    }
    const relevance = rankPostings([entries, twice, thrice], page()).productIds;
    expect(relevance[0]).toBe("p000"); // under all three terms, the lowest such id
  });

  it("when a query has operators or patterns, then they are only characters of plain words", () => {
    expect(queryTerms('{"$where": "1"} (a+)+$ Crème')).toEqual(["where", "1", "a", "creme"]);
  });
});
