import { describe, expect, it } from "vitest";
import { type ItemOutcome, MicroBatcher } from "../../../adapters/mikro-orm/inventory/micro-batcher.ts";

/** A batcher whose batches are recorded and finish only when the test says so. */
function controlled(options: { maxWeight: number; maxInFlight: number; weigh?: (item: number) => number }) {
  const batches: number[][] = [];
  const finishers: (() => void)[] = [];
  const batcher = new MicroBatcher<number, number>(
    (items) =>
      new Promise<ItemOutcome<number>[]>((resolve) => {
        batches.push([...items]);
        finishers.push(() => resolve(items.map((item) => ({ ok: true, value: item * 10 }))));
      }),
    options,
  );
  return { batcher, batches, finish: (i: number) => finishers[i]?.() };
}
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("MicroBatcher (group commit)", () => {
  it("when items arrive in one turn, then they run as one batch, in arrival order, each answered its own value", async () => {
    const { batcher, batches, finish } = controlled({ maxWeight: 10, maxInFlight: 1 });
    const answers = Promise.all([batcher.add(1), batcher.add(2), batcher.add(3)]);
    await turn();
    expect(batches).toEqual([[1, 2, 3]]);
    finish(0);
    expect(await answers).toEqual([10, 20, 30]);
  });

  it("when items arrive while the batches in flight are at their limit, then they wait and go together in the next one", async () => {
    const { batcher, batches, finish } = controlled({ maxWeight: 10, maxInFlight: 1 });
    const first = batcher.add(1);
    await turn();
    const later = [batcher.add(2), batcher.add(3)];
    await turn();
    const last = batcher.add(4);
    await turn();
    expect(batches).toEqual([[1]]);
    finish(0);
    expect(await first).toBe(10);
    await turn();
    await turn();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    finish(1);
    expect(await Promise.all([...later, last])).toEqual([20, 30, 40]);
  });

  it("when items weigh more than a batch holds, then the batch closes before the limit; one heavier item runs alone", async () => {
    const { batcher, batches } = controlled({ maxWeight: 5, maxInFlight: 3, weigh: (item) => item });
    for (const item of [2, 3, 1, 9, 4]) void batcher.add(item);
    await turn();
    expect(batches).toEqual([[2, 3], [1], [9]]);
  });

  it("when run answers one item failed, then only that item fails; when run throws, every item of the batch fails with it", async () => {
    const broken = new Error("connection lost");
    const oneBad = new MicroBatcher<number, number>(
      async (items) => items.map((item) => (item === 2 ? { ok: false, error: new Error("bad 2") } : { ok: true, value: item })),
      { maxWeight: 10, maxInFlight: 1 },
    );
    expect(await Promise.allSettled([oneBad.add(1), oneBad.add(2), oneBad.add(3)])).toEqual([
      { status: "fulfilled", value: 1 },
      { status: "rejected", reason: new Error("bad 2") },
      { status: "fulfilled", value: 3 },
    ]);
    let runs = 0;
    const throwingOnce = new MicroBatcher<number, number>(
      async (items) => {
        if (++runs === 1) throw broken;
        return items.map((value) => ({ ok: true, value }));
      },
      { maxWeight: 10, maxInFlight: 1 },
    );
    const outcomes = await Promise.allSettled([throwingOnce.add(1), throwingOnce.add(2)]);
    expect(outcomes.map((o) => (o.status === "rejected" ? o.reason : o.value))).toEqual([broken, broken]);
    // The next batch runs as usual.
    expect(await Promise.all([throwingOnce.add(5), throwingOnce.add(6)])).toEqual([5, 6]);
  });
});
