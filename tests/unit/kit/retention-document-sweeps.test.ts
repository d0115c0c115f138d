import { z } from "zod";
import { describe, expect, it } from "vitest";
import { type ExpiredRecords, retentionPolicy, sweepExpired } from "../../../core/kit/retention.ts";
import {
  DEFAULT_DOCUMENT_RETENTION_SETTINGS,
  documentRetentionConfigFields,
  documentRetentionSettingsOf,
} from "../../../services/runtime/retention-config.ts";

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const now = new Date("2026-12-08T12:00:00.000Z");

/** `expired` rows before any cutoff; deletes up to `limit` a batch and counts the batches. */
function backlog(expired: number): ExpiredRecords & { left: number; batches: number } {
  const store = {
    left: expired,
    batches: 0,
    async deleteBefore(_cutoff: Date, limit: number) {
      store.batches++;
      const picked = Math.min(limit, store.left);
      store.left -= picked;
      return { found: picked, deleted: picked };
    },
  };
  return store;
}

describe("sweeps bounded per kind (stores where a batch is a scan)", () => {
  it("when a kind has more expired rows than its batches per sweep hold, then a sweep stops there and the next goes on", async () => {
    const records = backlog(25);
    const target = { policy: retentionPolicy("processed_events", "written", 14 * DAY), records, maxBatchesPerSweep: 2 };
    expect(await sweepExpired([target], { now, batchSize: 5 })).toEqual({ processed_events: 10 });
    expect(records).toMatchObject({ left: 15, batches: 2 });
    expect(await sweepExpired([target], { now, batchSize: 5 })).toEqual({ processed_events: 10 });
    expect(await sweepExpired([target], { now, batchSize: 5 })).toEqual({ processed_events: 5 });
    expect(records).toMatchObject({ left: 0, batches: 6 });
  });

  it("when a bounded kind comes back short before its bound, then it ends there; an unbounded kind beside it runs to the end", async () => {
    const bounded = backlog(3);
    const unbounded = backlog(23);
    const deleted = await sweepExpired(
      [
        { policy: retentionPolicy("document_locks", "expiry", DAY), records: bounded, maxBatchesPerSweep: 10 },
        { policy: retentionPolicy("outbox_events.published", "written", 7 * DAY), records: unbounded },
      ],
      { now, batchSize: 5 },
    );
    expect(deleted).toEqual({ document_locks: 3, "outbox_events.published": 23 });
    expect(bounded.batches).toBe(1);
    expect(unbounded.batches).toBe(5);
  });
});

describe("document retention settings", () => {
  const schema = z.object(documentRetentionConfigFields);

  it("when nothing is set, then sweeps are hourly, 10 batches of 1,000 per kind at most, marks kept 14 days and stale locks a day", () => {
    expect(documentRetentionSettingsOf(schema.parse({}))).toEqual(DEFAULT_DOCUMENT_RETENTION_SETTINGS);
    expect(DEFAULT_DOCUMENT_RETENTION_SETTINGS).toEqual({
      intervalMs: HOUR,
      batchSize: 1_000,
      maxBatchesPerSweep: 10,
      expiredGraceMs: DAY,
      processedEventsMs: 14 * DAY,
    });
  });

  it("when set, then the variables apply; marks under the topics' 7 days or no batch per sweep are refused", () => {
    const settings = documentRetentionSettingsOf(
      schema.parse({ SHOPMESH_RETENTION_INTERVAL_SECONDS: "7200", SHOPMESH_RETENTION_MAX_BATCHES_PER_SWEEP: "3" }),
    );
    expect(settings).toMatchObject({ intervalMs: 2 * HOUR, maxBatchesPerSweep: 3 });
    expect(schema.safeParse({ SHOPMESH_RETENTION_PROCESSED_EVENTS_DAYS: "6" }).success).toBe(false);
    expect(schema.safeParse({ SHOPMESH_RETENTION_MAX_BATCHES_PER_SWEEP: "0" }).success).toBe(false);
    expect(schema.safeParse({ SHOPMESH_RETENTION_EXPIRED_GRACE_HOURS: "0" }).success).toBe(false);
  });
});
