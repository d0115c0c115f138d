import { describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import {
  type ExpiredRecords,
  isExpiredRecord,
  MIN_KEEP_MS,
  retentionCutoff,
  retentionPolicy,
  sweepExpired,
} from "../../../core/kit/retention.ts";

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const start = new Date("2026-12-01T00:00:00.000Z");

/** A table of stamps in memory: deletes the oldest stamps before the cutoff, `limit` at a time. */
function memoryRecords(stamps: Date[]): ExpiredRecords & { readonly left: Date[]; calls: number } {
  const store = {
    left: [...stamps],
    calls: 0,
    async deleteBefore(cutoff: Date, limit: number) {
      store.calls++;
      const picked = store.left
        .filter((stamp) => stamp < cutoff)
        .sort((a, b) => a.getTime() - b.getTime())
        .slice(0, limit);
      store.left = store.left.filter((stamp) => !picked.includes(stamp));
      return { found: picked.length, deleted: picked.length };
    },
  };
  return store;
}

describe("retention policies", () => {
  it("when a row's expiry is further back than the grace, then it is expired; at the cutoff or later it is not", () => {
    const clock = fixedClock(start);
    const policy = retentionPolicy("auth_sessions", "expiry", DAY);
    const expiresAt = new Date(start.getTime() - DAY);
    expect(isExpiredRecord(policy, expiresAt, clock.now())).toBe(false);
    clock.advance(1);
    expect(isExpiredRecord(policy, expiresAt, clock.now())).toBe(true);
    expect(retentionCutoff(policy, clock.now()).toISOString()).toBe("2026-11-30T00:00:00.001Z");
  });

  it("when a row was written inside the window, then it stays until the window has passed", () => {
    const clock = fixedClock(start);
    const policy = retentionPolicy("cart_idempotency_keys", "written", 7 * DAY);
    const writtenAt = clock.now();
    clock.advance(7 * DAY);
    expect(isExpiredRecord(policy, writtenAt, clock.now())).toBe(false);
    clock.advance(1);
    expect(isExpiredRecord(policy, writtenAt, clock.now())).toBe(true);
  });

  it("when a policy would keep less than its floor, then it is refused", () => {
    expect(() => retentionPolicy("user_tokens", "expiry", MIN_KEEP_MS.expiry - 1)).toThrow(/user_tokens/);
    expect(() => retentionPolicy("processed_events", "written", HOUR)).toThrow(RangeError);
    expect(() => retentionPolicy("x", "written", Number.NaN)).toThrow(RangeError);
    expect(retentionPolicy("x", "expiry", HOUR).keepMs).toBe(HOUR);
  });
});

describe("sweepExpired", () => {
  const now = new Date(start.getTime() + 30 * DAY);
  const policy = retentionPolicy("kind", "expiry", DAY);
  const cutoff = retentionCutoff(policy, now).getTime();

  it("when more rows are expired than a batch holds, then batches repeat until one comes back short, and live rows stay", async () => {
    const expired = Array.from({ length: 7 }, (_, i) => new Date(cutoff - 1 - i * HOUR));
    const live = [new Date(cutoff), new Date(cutoff + 1), new Date(now.getTime() + DAY)];
    const records = memoryRecords([...live, ...expired]);
    const deleted = await sweepExpired([{ policy, records }], { now, batchSize: 3 });
    expect(deleted).toEqual({ kind: 7 });
    expect(records.calls).toBe(3);
    expect(records.left.map((d) => d.getTime()).sort()).toEqual(live.map((d) => d.getTime()).sort());
  });

  it("when exactly a batch is expired, then one more (empty) batch confirms the table is done", async () => {
    const records = memoryRecords([new Date(cutoff - 1), new Date(cutoff - 2)]);
    expect(await sweepExpired([{ policy, records }], { now, batchSize: 2 })).toEqual({ kind: 2 });
    expect(records.calls).toBe(2);
  });

  it("when another sweeper deleted a full batch's rows first, then this one counts none and leaves the kind to it", async () => {
    let calls = 0;
    const records: ExpiredRecords = {
      deleteBefore: async () => {
        calls++;
        return { found: 5, deleted: 0 };
      },
    };
    expect(await sweepExpired([{ policy, records }], { now, batchSize: 5 })).toEqual({ kind: 0 });
    expect(calls).toBe(1);
  });

  it("when one kind fails, then it is reported and the next kinds are still swept", async () => {
    const failing: ExpiredRecords = {
      deleteBefore: async () => {
        throw new Error("lock wait timeout");
      },
    };
    const other = memoryRecords([new Date(cutoff - 1)]);
    const errors: string[] = [];
    const deleted = await sweepExpired(
      [
        { policy: retentionPolicy("broken", "expiry", DAY), records: failing },
        { policy, records: other },
      ],
      { now, batchSize: 10, onError: (kind) => errors.push(kind) },
    );
    expect(errors).toEqual(["broken"]);
    expect(deleted).toEqual({ broken: 0, kind: 1 });
  });

  it("when stopped, then no further batch starts", async () => {
    const stopping = new AbortController();
    const records = memoryRecords(Array.from({ length: 10 }, (_, i) => new Date(cutoff - 1 - i)));
    const stopAfterFirst: ExpiredRecords = {
      async deleteBefore(before, limit) {
        const batch = await records.deleteBefore(before, limit);
        stopping.abort();
        return batch;
      },
    };
    expect(await sweepExpired([{ policy, records: stopAfterFirst }], { now, batchSize: 2, signal: stopping.signal })).toEqual({
      kind: 2,
    });
    expect(records.left).toHaveLength(8);
  });

  it("when the batch size is not a positive integer, then the sweep is refused", async () => {
    await expect(sweepExpired([], { now, batchSize: 0 })).rejects.toThrow(/batchSize/);
  });
});
