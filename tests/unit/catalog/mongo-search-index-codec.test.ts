import { describe, expect, it } from "vitest";
import { decodeEntries, decodeEntryMap, encodeEntries } from "../../../adapters/mongo/catalog/mongo-search-index-codec.ts";
import type { SearchEntry } from "../../../core/catalog/search-index.ts";

function entry(productId: string, overrides: Partial<SearchEntry> = {}, version = 1, ratingVersion = 0): SearchEntry {
  return {
    productId,
    brand: "Acme",
    categoryId: "shoes",
    minPriceMinor: 1_000,
    maxPriceMinor: 2_000,
    attributePairs: ["color=red", "size=42"],
    inStock: true,
    status: "active",
    createdMs: 1_767_225_600_000,
    ratingRank: 0,
    stamp: { version, ratingVersion },
    ...overrides,
  };
}

describe("posting document codec (packed entries)", () => {
  it("when entries are packed and read back, then every field and stamp comes back as written, in order", () => {
    const entries = [
      entry("p1"),
      entry("p2", { brand: "", categoryId: "bags", attributePairs: [], inStock: false, status: "draft" }, 7, 3),
      entry("p3", { brand: "Nike", status: "archived", createdMs: 5, ratingRank: 4.25, minPriceMinor: 0 }),
      entry("p4", { attributePairs: ["size=42", "color=red"], maxPriceMinor: 9_007_199_254_740_991 }, 2, 9),
    ];
    const json = encodeEntries(entries);
    expect(decodeEntries(json)).toEqual(entries);
    expect([...decodeEntryMap(json)]).toEqual(entries.map((e) => [e.productId, e]));
    expect(decodeEntries(encodeEntries([]))).toEqual([]);
  });

  it("when many entries share brands, categories and attribute sets, then each is written once and the document is far smaller than one object per product", () => {
    const entries = Array.from({ length: 500 }, (_, i) =>
      entry(`p${i}`, { brand: `Brand${i % 7}`, categoryId: `cat-${i % 3}`, attributePairs: [`color=c${i % 4}`] }),
    );
    const json = encodeEntries(entries);
    expect(json.match(/Brand3/g)).toHaveLength(1);
    expect(json.match(/color=c2/g)).toHaveLength(1);
    expect(decodeEntries(json)).toEqual(entries);
    const unpacked = JSON.stringify(Object.fromEntries(entries.map((e) => [e.productId, e])));
    expect(json.length).toBeLessThan(unpacked.length / 2);
  });

  it("when a document was written unpacked (before the codec), then it is still read, stamps included", () => {
    const legacy = JSON.stringify({
      p1: ["Acme", "shoes", 1_000, 2_000, ["color=red"], 1, "a", 11, 2, 4, 1],
      p2: ["", "bags", 5, 6, [], 0, "d", 12, 0, 1, 0],
      v: ["B", "c", 1, 1, [], 0, "r", 13, 0, 1, 0],
    });
    expect(decodeEntries(legacy)).toEqual([
      entry("p1", { attributePairs: ["color=red"], createdMs: 11, ratingRank: 2 }, 4, 1),
      entry("p2", {
        brand: "",
        categoryId: "bags",
        minPriceMinor: 5,
        maxPriceMinor: 6,
        attributePairs: [],
        inStock: false,
        status: "draft",
        createdMs: 12,
      }),
      entry("v", {
        brand: "B",
        categoryId: "c",
        minPriceMinor: 1,
        maxPriceMinor: 1,
        attributePairs: [],
        inStock: false,
        status: "archived",
        createdMs: 13,
      }),
    ]);
    expect(decodeEntryMap(legacy).get("p1")!.stamp).toEqual({ version: 4, ratingVersion: 1 });
    expect(decodeEntries("{}")).toEqual([]);
  });
});
