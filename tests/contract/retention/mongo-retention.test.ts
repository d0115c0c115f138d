import type { Db } from "mongodb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sweepExpired } from "../../../core/kit/retention.ts";
import { publishMongoOutboxBatch } from "../../../adapters/mongo/mongo-outbox-relay.ts";
import { MongoReviewRepository } from "../../../adapters/mongo/reviews/mongo-review-repository.ts";
import { REVIEW_OUTBOX_COLLECTIONS, REVIEWS, reviewIndexes } from "../../../adapters/mongo/reviews/review-collections.ts";
import { reviewEventMapper } from "../../../services/reviews/reviews-event-mapper.ts";
import { acme, aReview, ctxFor } from "../reviews/review-stores.harness.ts";
import { catalogIndexes } from "../../../adapters/mongo/catalog/catalog-indexes.ts";
import { SEARCH_LOCKS } from "../../../adapters/mongo/catalog/mongo-search-index.ts";
import { DOCUMENT_LOCKS, documentLocks } from "../../../adapters/mongo/mongo-insert-lock.ts";
import { createMongoProcessedEvents, PROCESSED_EVENTS } from "../../../adapters/mongo/mongo-processed-events.ts";
import { expiredMongoProcessedEvents } from "../../../adapters/mongo/mongo-retention-collections.ts";
import { catalogRetentionTargets } from "../../../services/catalog/catalog-retention.ts";
import { reviewsRetentionTargets } from "../../../services/reviews/reviews-retention.ts";
import {
  DEFAULT_DOCUMENT_RETENTION_SETTINGS,
  type DocumentRetentionSettings,
} from "../../../services/runtime/retention-config.ts";
import { type MongoTestDatabase, openMongoTestDatabase } from "../mongo/support/mongo-test-database.ts";

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const now = new Date("2026-12-08T12:00:00.000Z");
const at = (ms: number) => new Date(now.getTime() + ms);
/** Small batches, so every kind takes several. */
const settings: DocumentRetentionSettings = { ...DEFAULT_DOCUMENT_RETENTION_SETTINGS, batchSize: 2 };
/** Stamps around a cutoff `keepMs` before now: two past it (gone), one on it and one after (kept). */
const around = (keepMs: number) => ({
  longGone: at(-keepMs - 30 * DAY),
  justGone: at(-keepMs - 1),
  onCutoff: at(-keepMs),
  kept: at(-keepMs + 1),
});

async function idsOf(db: Db, collection: string, field = "_id"): Promise<string[]> {
  const documents = await db.collection(collection).find({}).toArray();
  return documents.map((doc) => String(doc[field])).sort();
}

async function insertLocks(db: Db, collection: string, expiries: Record<string, Date>): Promise<void> {
  await db
    .collection<{ _id: string; expires_ms: number }>(collection)
    .insertMany(Object.entries(expiries).map(([key, expiresAt]) => ({ _id: key, expires_ms: expiresAt.getTime() })));
}

describe("retention on FerretDB", () => {
  let database: MongoTestDatabase;
  beforeEach(async () => {
    database = await openMongoTestDatabase("retention", catalogIndexes);
  });
  afterEach(async () => {
    await database.dispose();
  });

  it("catalog: dedupe marks past 14 days and locks a day past expiry go, in batches; younger marks, live and lately expired locks stay", async () => {
    const { db } = database;
    const marks = around(settings.processedEventsMs);
    for (const [id, processedAt] of Object.entries(marks)) {
      for (const consumer of ["catalog", "catalog-search"]) {
        await db.collection(PROCESSED_EVENTS).insertOne({ consumer, event_id: id, processed_at: processedAt });
      }
    }
    const locks = { ...around(settings.expiredGraceMs), "expired-an-hour-ago": at(-HOUR), held: at(10_000) };
    await insertLocks(db, DOCUMENT_LOCKS, locks);
    await insertLocks(db, SEARCH_LOCKS, locks);

    const deleted = await sweepExpired(catalogRetentionTargets(db, settings), { now, batchSize: settings.batchSize });

    expect(deleted).toEqual({ processed_events: 4, [DOCUMENT_LOCKS]: 2, [SEARCH_LOCKS]: 2 });
    expect(await idsOf(db, PROCESSED_EVENTS, "event_id")).toEqual(["kept", "kept", "onCutoff", "onCutoff"]);
    const left = ["expired-an-hour-ago", "held", "kept", "onCutoff"];
    expect(await idsOf(db, DOCUMENT_LOCKS)).toEqual(left);
    expect(await idsOf(db, SEARCH_LOCKS)).toEqual(left);
    // The marks left still dedupe: a second claim of a kept event is refused.
    expect(await createMongoProcessedEvents(db).claim("catalog", "kept")).toBe(false);
  });

  it("reviews: stale document locks go, and tombstones a day past deletion once published and recounted; nothing else", async () => {
    const reviewsDb = await openMongoTestDatabase("retention_reviews", reviewIndexes);
    try {
      const { db } = reviewsDb;
      await insertLocks(db, DOCUMENT_LOCKS, { "reviews/r-dead": at(-2 * DAY), "reviews/r-live": at(10_000) });
      const wallNow = new Date();
      const ago = (ms: number) => new Date(wallNow.getTime() - ms);
      const repository = new MongoReviewRepository(db, reviewEventMapper);
      const ctx = ctxFor("acme");
      const review = async (name: string) => {
        const written = aReview({ id: name, authorId: `author-${name}` }, { approved: true, at: ago(30 * DAY) });
        await repository.add(written, ctx);
        return written;
      };
      const deleted = async (name: string, deletedAgo: number, marksRating = true) => {
        await review(name);
        const stored = (await repository.find(acme, name))!;
        stored.delete(ago(deletedAgo));
        await repository.update(stored, ctx, { marksRating });
      };
      await review("live-old");
      await deleted("gone", 3 * DAY);
      await deleted("not-recounted", 3 * DAY);
      await deleted("deleted-lately", HOUR);
      await publishMongoOutboxBatch(db, REVIEW_OUTBOX_COLLECTIONS, { publish: async () => {} }, { batchSize: 100 });
      for (const mark of await repository.ratingMarks(ago(-DAY), 10)) {
        if (mark.reviewId !== "not-recounted") await repository.clearRatingMark(acme, mark.reviewId, mark.revision);
      }
      // Recounted (no mark) but its ReviewDeleted not yet out (the relay was down).
      await deleted("not-published", 3 * DAY, false);

      const targets = reviewsRetentionTargets(db, settings);
      expect(targets.map((target) => target.policy.kind)).toEqual([DOCUMENT_LOCKS, "review_tombstones"]);
      expect(await sweepExpired(targets, { now: wallNow, batchSize: settings.batchSize })).toEqual({
        [DOCUMENT_LOCKS]: 1,
        review_tombstones: 1,
      });
      expect(await idsOf(db, DOCUMENT_LOCKS)).toEqual(["reviews/r-live"]);
      expect(await idsOf(db, REVIEWS, "review_id")).toEqual(["deleted-lately", "live-old", "not-published", "not-recounted"]);
    } finally {
      await reviewsDb.dispose();
    }
  });

  it("when a backlog is larger than a sweep's batches, then each sweep deletes its bound, oldest first, and later sweeps the rest", async () => {
    const { db } = database;
    const old = Array.from({ length: 25 }, (_, i) => ({
      consumer: "catalog",
      event_id: `old-${String(i).padStart(2, "0")}`,
      processed_at: at(-20 * DAY + i),
    }));
    await db
      .collection(PROCESSED_EVENTS)
      .insertMany([...old, { consumer: "catalog", event_id: "young", processed_at: at(-DAY) }]);
    const bounded = { ...settings, batchSize: 4, maxBatchesPerSweep: 3 };
    const targets = catalogRetentionTargets(db, bounded);
    const sweep = () => sweepExpired(targets, { now, batchSize: bounded.batchSize });

    expect((await sweep()).processed_events).toBe(12);
    expect(await idsOf(db, PROCESSED_EVENTS, "event_id")).toEqual([...old.slice(12).map((m) => m.event_id), "young"]);
    expect((await sweep()).processed_events).toBe(12);
    expect((await sweep()).processed_events).toBe(1);
    expect(await idsOf(db, PROCESSED_EVENTS, "event_id")).toEqual(["young"]);
  });

  it("when two sweepers run at once (two clients), then each old mark is deleted once and young ones stay", async () => {
    const { db } = database;
    const marks = Array.from({ length: 40 }, (_, i) => ({
      consumer: "catalog",
      event_id: `e-${String(i).padStart(2, "0")}`,
      processed_at: i < 30 ? at(-20 * DAY - i) : at(-DAY),
    }));
    await db.collection(PROCESSED_EVENTS).insertMany(marks);
    const other = await openMongoTestDatabase("retention_other");
    try {
      const otherDb = other.client.db(db.databaseName);
      const sweepOn = (on: Db) => sweepExpired(catalogRetentionTargets(on, { ...settings, batchSize: 4 }), { now, batchSize: 4 });
      const [a, b] = await Promise.all([sweepOn(db), sweepOn(otherDb)]);
      expect((a.processed_events ?? 0) + (b.processed_events ?? 0)).toBe(30);
      expect(await db.collection(PROCESSED_EVENTS).countDocuments({})).toBe(10);
    } finally {
      await other.close();
    }
  });

  it("when a lock's dead holder is swept, then the key can be locked again, and a lock held meanwhile is left alone", async () => {
    const { db } = database;
    await insertLocks(db, DOCUMENT_LOCKS, { "products/p-dead": new Date(Date.now() - 2 * DAY) });
    const locks = documentLocks(db);
    const wallNow = new Date();
    const swept = await locks.withDocument("products", "p-held", () =>
      sweepExpired(catalogRetentionTargets(db, settings), { now: wallNow, batchSize: settings.batchSize }),
    );
    expect(swept[DOCUMENT_LOCKS]).toBe(1);
    expect(await idsOf(db, DOCUMENT_LOCKS)).toEqual([]);
    // Taken again at once: no 10 s wait for a broken lock.
    const started = Date.now();
    expect(await locks.withDocument("products", "p-dead", async () => "written")).toBe("written");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("a batch deletes at most its limit of expired documents; the next batches the rest, then none", async () => {
    const { db } = database;
    await db
      .collection(PROCESSED_EVENTS)
      .insertMany(Array.from({ length: 6 }, (_, i) => ({ consumer: "c", event_id: `e-${i}`, processed_at: at(-30 * DAY) })));
    expect(await expiredMongoProcessedEvents(db).deleteBefore(at(-14 * DAY), 4)).toEqual({ found: 4, deleted: 4 });
    expect(await expiredMongoProcessedEvents(db).deleteBefore(at(-14 * DAY), 4)).toEqual({ found: 2, deleted: 2 });
    expect(await expiredMongoProcessedEvents(db).deleteBefore(at(-14 * DAY), 4)).toEqual({ found: 0, deleted: 0 });
  });
});
