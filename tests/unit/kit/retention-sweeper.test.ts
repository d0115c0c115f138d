import { describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import { type ExpiredRecords, retentionPolicy } from "../../../core/kit/retention.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import {
  DEFAULT_RETENTION_SETTINGS,
  retentionConfigFields,
  retentionSettingsOf,
} from "../../../services/runtime/retention-config.ts";
import { startRetentionSweeper } from "../../../services/runtime/retention-sweeper.ts";
import { z } from "zod";

const DAY = 24 * 60 * 60_000;

describe("retention sweeper", () => {
  it("when started, then it sweeps with the clock's now after the first delay, again every interval, and stops between sweeps", async () => {
    const clock = fixedClock(new Date("2026-12-01T00:00:00Z"));
    const cutoffs: string[] = [];
    const records: ExpiredRecords = {
      async deleteBefore(cutoff) {
        cutoffs.push(cutoff.toISOString());
        clock.advance(DAY);
        return { found: 0, deleted: 0 };
      },
    };
    const sweeper = startRetentionSweeper({
      context: "test",
      targets: [{ policy: retentionPolicy("kind", "expiry", DAY), records }],
      clock,
      settings: { intervalMs: 20, batchSize: 10 },
      logger: createLogger("test", "silent"),
      firstDelayMs: 0,
    });
    for (let waited = 0; cutoffs.length < 2 && waited < 4_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await sweeper.stop();
    const swept = cutoffs.length;
    expect(swept).toBeGreaterThanOrEqual(2);
    expect(cutoffs.slice(0, 2)).toEqual(["2026-11-30T00:00:00.000Z", "2026-12-01T00:00:00.000Z"]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(cutoffs).toHaveLength(swept);
  });
});

describe("retention settings", () => {
  const schema = z.object(retentionConfigFields);

  it("when nothing is set, then the defaults apply (14 days of dedupe marks, a day of grace, a week of answers)", () => {
    expect(retentionSettingsOf(schema.parse({}))).toEqual(DEFAULT_RETENTION_SETTINGS);
    expect(DEFAULT_RETENTION_SETTINGS.processedEventsMs).toBe(14 * DAY);
  });

  it("when dedupe marks would be kept less than the topics' 7 days, then the configuration is refused", () => {
    expect(schema.safeParse({ SHOPMESH_RETENTION_PROCESSED_EVENTS_DAYS: "6" }).success).toBe(false);
    expect(schema.safeParse({ SHOPMESH_RETENTION_EXPIRED_GRACE_HOURS: "0" }).success).toBe(false);
    expect(retentionSettingsOf(schema.parse({ SHOPMESH_RETENTION_IDEMPOTENCY_DAYS: "2" })).idempotencyWindowMs).toBe(2 * DAY);
  });
});
