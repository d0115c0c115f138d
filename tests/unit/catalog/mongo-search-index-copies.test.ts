import { describe, expect, it } from "vitest";
import { IndexedCopies } from "../../../adapters/mongo/catalog/mongo-search-index-copies.ts";
import type { ProductSnapshot } from "../../../core/catalog/product.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";

const [a, b] = [parseTenantId("tenant-a"), parseTenantId("tenant-b")];
const copy = (name: string) => ({ name }) as unknown as ProductSnapshot;
const at = (version: number, ratingVersion = 0) => ({ version, ratingVersion });

describe("product copies kept by the search index", () => {
  it("when a copy is asked for, then only its exact stamp and tenant get it", () => {
    const copies = new IndexedCopies(1_000);
    copies.put(a, "p1", at(2, 1), copy("v2"), 10);
    expect(copies.get(a, "p1", at(2, 1))?.name).toBe("v2");
    expect(copies.get(a, "p1", at(2, 2))).toBeUndefined();
    expect(copies.get(a, "p1", at(3, 1))).toBeUndefined();
    expect(copies.get(a, "p1", at(1, 1))).toBeUndefined();
    expect(copies.get(b, "p1", at(2, 1))).toBeUndefined();
  });

  it("when an older state is put after a newer one, then the newer one stays", () => {
    const copies = new IndexedCopies(1_000);
    copies.put(a, "p1", at(3), copy("v3"), 10);
    copies.put(a, "p1", at(2), copy("v2"), 10);
    expect(copies.get(a, "p1", at(3))?.name).toBe("v3");
    expect(copies.get(a, "p1", at(2))).toBeUndefined();
  });

  it("when the copies outgrow their bound, then the least recently used go first", () => {
    const copies = new IndexedCopies(30);
    copies.put(a, "p1", at(1), copy("one"), 10);
    copies.put(a, "p2", at(1), copy("two"), 10);
    copies.put(a, "p3", at(1), copy("three"), 10);
    expect(copies.get(a, "p1", at(1))?.name).toBe("one"); // p2 is now the least recently used
    copies.put(a, "p4", at(1), copy("four"), 10);
    expect(copies.get(a, "p2", at(1))).toBeUndefined();
    expect(["p1", "p3", "p4"].map((id) => copies.get(a, id, at(1))?.name)).toEqual(["one", "three", "four"]);
    copies.put(a, "p5", at(1), copy("huge"), 31);
    expect(copies.get(a, "p5", at(1))).toBeUndefined();
    expect(copies.get(a, "p4", at(1))?.name).toBe("four");
  });

  it("when a tenant's copies are forgotten (a rebuild), then only that tenant's are gone and the bound counts the rest", () => {
    const copies = new IndexedCopies(20);
    copies.put(a, "p1", at(1), copy("a1"), 10);
    copies.put(b, "p1", at(1), copy("b1"), 10);
    copies.forgetTenant(a);
    expect(copies.get(a, "p1", at(1))).toBeUndefined();
    copies.put(a, "p2", at(1), copy("a2"), 10);
    expect(copies.get(b, "p1", at(1))?.name).toBe("b1");
    expect(copies.get(a, "p2", at(1))?.name).toBe("a2");
  });
});
