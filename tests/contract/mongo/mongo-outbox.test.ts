import { afterAll, describe, expect, it } from "vitest";
import type { EventPublisher } from "../../../core/kit/event-publisher.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { outboxFieldsForInsert, outboxIndex, outboxUpdate } from "../../../adapters/mongo/mongo-outbox.ts";
import { publishMongoOutboxBatch, startMongoOutboxRelay } from "../../../adapters/mongo/mongo-outbox-relay.ts";
import { relayLease } from "../../../adapters/mongo/mongo-relay-lease.ts";
import { type MongoTestDatabase, openMongoTestDatabase } from "./support/mongo-test-database.ts";

const databases: MongoTestDatabase[] = [];
async function database() {
  const opened = await openMongoTestDatabase("outbox", { things: [outboxIndex] });
  databases.push(opened);
  return opened;
}
afterAll(async () => {
  for (const opened of databases) await opened.dispose();
});

let sequence = 0;
function event(key: string, label: string): IntegrationEvent {
  return {
    id: `evt-${++sequence}-${label}`,
    type: "shop.events.v1.Test",
    schemaVersion: 1,
    topic: "thing-events",
    key,
    tenantId: "acme",
    correlationId: `corr-${label}`,
    occurredAt: new Date("2026-11-01T00:00:00.000Z"),
    payload: new TextEncoder().encode(label),
  };
}
const label = (e: IntegrationEvent) => new TextDecoder().decode(e.payload);

function recordingPublisher(onPublish?: () => Promise<void>): EventPublisher & { seen: IntegrationEvent[] } {
  const seen: IntegrationEvent[] = [];
  return {
    seen,
    async publish(events) {
      await onPublish?.();
      seen.push(...events);
    },
  };
}

describe("single-document outbox on FerretDB", () => {
  it("when a document is written with events and changed twice, then the relay publishes them in order and clears them", async () => {
    const { db } = await database();
    const things = db.collection<Record<string, unknown>>("things");
    const now = new Date();
    await things.insertOne({
      _id: "acme/t1" as never,
      tenant_id: "acme",
      n: 1,
      ...outboxFieldsForInsert([event("t1", "a")], now),
    });
    await things.updateOne(
      { _id: "acme/t1" as never },
      { $set: { n: 2 }, ...outboxUpdate([event("t1", "b"), event("t1", "c")], now) },
    );
    const publisher = recordingPublisher();

    await publishMongoOutboxBatch(db, ["things"], publisher, { batchSize: 10 });

    expect(publisher.seen.map(label)).toEqual(["a", "b", "c"]);
    expect(publisher.seen[0]).toMatchObject({ topic: "thing-events", key: "t1", tenantId: "acme", correlationId: "corr-a" });
    const stored = await things.findOne({ _id: "acme/t1" as never });
    expect(stored).toMatchObject({ n: 2, outbox_events: [] });
    expect(stored).not.toHaveProperty("outbox_since");
    await publishMongoOutboxBatch(db, ["things"], publisher, { batchSize: 10 });
    expect(publisher.seen).toHaveLength(3);
  });

  it("when events are appended while a batch is being published, then only the published ones are removed", async () => {
    const { db } = await database();
    const things = db.collection<Record<string, unknown>>("things");
    await things.insertOne({
      _id: "acme/t2" as never,
      tenant_id: "acme",
      ...outboxFieldsForInsert([event("t2", "first")], new Date()),
    });
    let wroteDuring = false;
    const publisher = recordingPublisher(async () => {
      if (wroteDuring) return;
      wroteDuring = true;
      await things.updateOne({ _id: "acme/t2" as never }, outboxUpdate([event("t2", "second")], new Date()));
    });

    await publishMongoOutboxBatch(db, ["things"], publisher, { batchSize: 10 });
    await publishMongoOutboxBatch(db, ["things"], publisher, { batchSize: 10 });

    expect(publisher.seen.map(label)).toEqual(["first", "second"]);
    expect(await things.findOne({ _id: "acme/t2" as never })).toMatchObject({ outbox_events: [] });
  });

  it("when the broker refuses a batch, then the events stay and are published by the next attempt", async () => {
    const { db } = await database();
    const things = db.collection<Record<string, unknown>>("things");
    await things.insertOne({
      _id: "acme/t3" as never,
      tenant_id: "acme",
      ...outboxFieldsForInsert([event("t3", "x")], new Date()),
    });
    const failing: EventPublisher = { publish: async () => Promise.reject(new Error("broker down")) };

    await expect(publishMongoOutboxBatch(db, ["things"], failing, { batchSize: 10 })).rejects.toThrow("broker down");
    const publisher = recordingPublisher();
    await publishMongoOutboxBatch(db, ["things"], publisher, { batchSize: 10 });

    expect(publisher.seen.map(label)).toEqual(["x"]);
  });

  it("when a relay runs, then it publishes what is written while it runs", async () => {
    const { db } = await database();
    const things = db.collection<Record<string, unknown>>("things");
    const publisher = recordingPublisher();
    const relay = await startMongoOutboxRelay({ db, collections: ["things"], publisher, pollIntervalMs: 20 });
    try {
      await things.insertOne({
        _id: "acme/t4" as never,
        tenant_id: "acme",
        ...outboxFieldsForInsert([event("t4", "live")], new Date()),
      });
      await expect.poll(() => publisher.seen.map(label), { timeout: 5_000 }).toEqual(["live"]);
    } finally {
      await relay.stop();
    }
  });

  it("when one relay holds the lease, then another is refused until it expires or is released", async () => {
    const { db } = await database();
    const first = relayLease(db, "outbox", "relay-1", 10_000);
    const second = relayLease(db, "outbox", "relay-2", 10_000);
    const now = new Date();

    expect(await first.acquire(now)).toBe(true);
    expect(await second.acquire(now)).toBe(false);
    expect(await first.acquire(now)).toBe(true);
    expect(await second.acquire(new Date(now.getTime() + 10_001))).toBe(true);
    expect(await first.acquire(new Date(now.getTime() + 10_002))).toBe(false);
    await second.release();
    expect(await first.acquire(new Date(now.getTime() + 10_003))).toBe(true);
  });
});
