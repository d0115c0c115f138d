import { describe, expect, it } from "vitest";
import { DecodedShards } from "../../../adapters/mongo/catalog/mongo-search-index-shard-cache.ts";
import type { SearchEntry } from "../../../core/catalog/search-index.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";

const [a, b] = [parseTenantId("tenant-a"), parseTenantId("tenant-b")];
const shard = (productId: string) => [{ productId } as SearchEntry];
const idOf = (entries: readonly SearchEntry[] | undefined) => entries?.[0]?.productId;

describe("decoded shard revisions kept by the search index", () => {
  it("when a revision is asked for, then only that revision of that tenant answers", () => {
    const shards = new DecodedShards(1_000);
    shards.put(a, "crowd.0.3", shard("r3"), 10);
    expect(idOf(shards.get(a, "crowd.0.3"))).toBe("r3");
    expect(shards.get(a, "crowd.0.4")).toBeUndefined();
    expect(shards.get(b, "crowd.0.3")).toBeUndefined();
  });

  it("when the revisions outgrow their bound, then the least recently used go first and one past the bound is not kept", () => {
    const shards = new DecodedShards(30);
    for (const rev of ["1", "2", "3"]) shards.put(a, rev, shard(rev), 10);
    expect(idOf(shards.get(a, "1"))).toBe("1"); // "2" is now the least recently used
    shards.put(a, "4", shard("4"), 10);
    expect(shards.get(a, "2")).toBeUndefined();
    expect(["1", "3", "4"].map((rev) => idOf(shards.get(a, rev)))).toEqual(["1", "3", "4"]);
    shards.put(a, "5", shard("5"), 31);
    expect(shards.get(a, "5")).toBeUndefined();
    expect(idOf(shards.get(a, "4"))).toBe("4");
  });

  it("when a tenant's revisions are forgotten (a rebuild), then only that tenant's are gone and the bound counts the rest", () => {
    const shards = new DecodedShards(20);
    shards.put(a, "1", shard("a1"), 10);
    shards.put(b, "1", shard("b1"), 10);
    shards.forgetTenant(a);
    expect(shards.get(a, "1")).toBeUndefined();
    shards.put(a, "2", shard("a2"), 10);
    expect(idOf(shards.get(b, "1"))).toBe("b1");
    expect(idOf(shards.get(a, "2"))).toBe("a2");
  });
});
