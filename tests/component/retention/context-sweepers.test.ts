import type { EntityName } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import type { Db } from "mongodb";
import { afterEach, describe, expect, it } from "vitest";
import { randomId } from "../../../core/kit/ids.ts";
import { createSandboxCarrier } from "../../../adapters/carrier/sandbox-carrier.ts";
import { MemoryCategoryRepository } from "../../../adapters/memory/catalog/memory-category-repository.ts";
import { createMemoryProductCache } from "../../../adapters/memory/catalog/memory-product-cache.ts";
import { MemoryProductRepository } from "../../../adapters/memory/catalog/memory-product-repository.ts";
import { MemorySearchIndex } from "../../../adapters/memory/catalog/memory-search-index.ts";
import { createMemoryEventBus } from "../../../adapters/memory/memory-event-bus.ts";
import { createMemoryProcessedEvents } from "../../../adapters/memory/memory-processed-events.ts";
import { MemoryProductCatalog } from "../../../adapters/memory/reviews/memory-product-catalog.ts";
import { InventoryIdempotencyRecord } from "../../../adapters/mikro-orm/inventory/inventory-records.ts";
import { OutboxEvent } from "../../../adapters/mikro-orm/outbox-event-entity.ts";
import { ProcessedEvent } from "../../../adapters/mikro-orm/processed-event-entity.ts";
import { catalogIndexes } from "../../../adapters/mongo/catalog/catalog-indexes.ts";
import { DOCUMENT_LOCKS } from "../../../adapters/mongo/mongo-insert-lock.ts";
import { PROCESSED_EVENTS } from "../../../adapters/mongo/mongo-processed-events.ts";
import { reviewIndexes } from "../../../adapters/mongo/reviews/review-collections.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import { tenantFromHeader } from "../../../adapters/rpc/call-context.ts";
import { catalogModule } from "../../../services/catalog/catalog-module.ts";
import { catalogRetentionTargets } from "../../../services/catalog/catalog-retention.ts";
import { productEventMapper } from "../../../services/catalog/product-event-mapper.ts";
import { inventoryEntities, inventoryModule } from "../../../services/inventory/inventory-module.ts";
import { memoryReviewStores, mongoReviewStores } from "../../../services/reviews/review-stores.ts";
import { reviewsModule } from "../../../services/reviews/reviews-module.ts";
import type { ContextModule } from "../../../services/runtime/context-module.ts";
import { DEFAULT_DOCUMENT_RETENTION_SETTINGS, DEFAULT_RETENTION_SETTINGS } from "../../../services/runtime/retention-config.ts";
import { shippingEntities, shippingModule } from "../../../services/shipping/shipping-module.ts";
import { type MongoTestDatabase, openMongoTestDatabase } from "../../contract/mongo/support/mongo-test-database.ts";
import { openSqlTestDatabase } from "../../support/sql-test-database.ts";

const DAY = 24 * 60 * 60_000;
/** A sweep every 50 ms (the first after 25 to 50 ms), so the test sees one soon. */
const retention = { ...DEFAULT_RETENTION_SETTINGS, intervalMs: 50 };
const documentRetention = { ...DEFAULT_DOCUMENT_RETENTION_SETTINGS, intervalMs: 50 };
const clock = { now: () => new Date() };
const logger = createLogger("retention-test", "silent");
const ago = (ms: number) => new Date(Date.now() - ms);

async function eventually<T>(read: () => Promise<T>, wanted: T): Promise<T> {
  let seen = await read();
  for (let waited = 0; waited < 10_000 && JSON.stringify(seen) !== JSON.stringify(wanted); waited += 25) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    seen = await read();
  }
  return seen;
}

// biome-ignore lint/suspicious/noExplicitAny: any swept table.
const keysOf = (em: SqlEntityManager, entity: EntityName<any>, key: string) => async () =>
  ((await em.fork().find(entity, {}, { disableIdentityMap: true })) as Record<string, unknown>[])
    .map((row) => String(row[key]))
    .sort();

const idsOf =
  (db: Db, collection: string, field = "_id") =>
  async () =>
    (await db.collection(collection).find({}).toArray()).map((doc) => String(doc[field])).sort();

/** Old and young dedupe marks, and outbox rows published long ago, lately and never. */
async function seedMessaging(em: SqlEntityManager): Promise<void> {
  await em.insert(ProcessedEvent, { consumer: "c", eventId: "old", processedAt: ago(15 * DAY) });
  await em.insert(ProcessedEvent, { consumer: "c", eventId: "young", processedAt: ago(13 * DAY) });
  for (const [eventId, publishedAt] of [
    ["published-long-ago", ago(8 * DAY)],
    ["published-lately", ago(DAY)],
    ["unpublished", null],
  ] as const) {
    await em.insert(OutboxEvent, {
      eventId,
      topic: "t",
      eventKey: "acme/x",
      eventType: "shop.events.v1.Test",
      schemaVersion: 1,
      tenantId: "acme",
      correlationId: "c",
      occurredAt: ago(9 * DAY),
      payload: Buffer.from([1]),
      publishedAt,
    });
  }
}

async function seedLocks(db: Db): Promise<void> {
  await db.collection<{ _id: string; expires_ms: number }>(DOCUMENT_LOCKS).insertMany([
    { _id: "x/dead", expires_ms: Date.now() - 2 * DAY },
    { _id: "x/held", expires_ms: Date.now() + 10_000 },
  ]);
}

describe("the inventory, shipping, catalog and reviews modules run their retention sweepers", () => {
  const opened: { dispose(): Promise<void>; module: ContextModule }[] = [];
  afterEach(async () => {
    for (const { dispose, module } of opened.splice(0)) {
      await module.stop?.();
      await dispose();
    }
  });

  it("inventory (SQLite, as embedded): marks past 14 days, rows published and answers written 7 days ago go; the rest stay", async () => {
    const db = await openSqlTestDatabase("sqlite", "inventory_retention", inventoryEntities);
    const bus = createMemoryEventBus();
    const module = inventoryModule({
      db: { ...db, close: async () => {} },
      publisher: bus.publisher,
      consumer: bus.consumer,
      clock,
      logger,
      resolveIdentity: tenantFromHeader,
      sweepIntervalMs: 60_000,
      retention,
    });
    opened.push({ dispose: () => db.dispose(), module });
    await seedMessaging(db.em.fork());
    for (const [idempotencyKey, createdAt] of [
      ["old", ago(8 * DAY)],
      ["young", ago(6 * DAY)],
      ["unstamped", null],
    ] as const) {
      const answer = { tenantId: "acme", scope: "adjust_stock", idempotencyKey, fingerprint: "f", response: "{}", createdAt };
      await db.em.fork().insert(InventoryIdempotencyRecord, answer);
    }
    await module.start?.();
    expect(await eventually(keysOf(db.em, ProcessedEvent, "eventId"), ["young"])).toEqual(["young"]);
    const outbox = ["published-lately", "unpublished"];
    expect(await eventually(keysOf(db.em, OutboxEvent, "eventId"), outbox)).toEqual(outbox);
    const answers = ["unstamped", "young"];
    expect(await eventually(keysOf(db.em, InventoryIdempotencyRecord, "idempotencyKey"), answers)).toEqual(answers);
  });

  it("shipping (SQLite, as embedded): the same", async () => {
    const db = await openSqlTestDatabase("sqlite", "shipping_retention", shippingEntities);
    const bus = createMemoryEventBus();
    const module = shippingModule({
      db: { ...db, close: async () => {} },
      publisher: bus.publisher,
      consumer: bus.consumer,
      carrier: createSandboxCarrier({ newId: randomId, clock }),
      webhookSecret: "a-test-secret-of-at-least-32-characters",
      clock,
      logger,
      resolveIdentity: tenantFromHeader,
      retention,
    });
    opened.push({ dispose: () => db.dispose(), module });
    await seedMessaging(db.em.fork());
    await module.start?.();
    expect(await eventually(keysOf(db.em, ProcessedEvent, "eventId"), ["young"])).toEqual(["young"]);
    const outbox = ["published-lately", "unpublished"];
    expect(await eventually(keysOf(db.em, OutboxEvent, "eventId"), outbox)).toEqual(outbox);
  });

  it("catalog (FerretDB): marks past 14 days and a dead holder's lock go; young marks and a held lock stay", async () => {
    const mongo: MongoTestDatabase = await openMongoTestDatabase("catalog_retention", catalogIndexes);
    const products = new MemoryProductRepository(productEventMapper);
    const bus = createMemoryEventBus();
    const module = catalogModule({
      deps: {
        products,
        categories: new MemoryCategoryRepository(),
        cache: createMemoryProductCache({ ttlMs: 60_000, clock }),
        searchIndex: new MemorySearchIndex(),
        clock,
        newId: randomId,
        currencyOf: async () => "EUR",
      },
      startRelay: async () => ({ stop: async () => {} }),
      consumer: bus.consumer,
      processedEvents: createMemoryProcessedEvents(),
      probes: [],
      logger,
      resolveIdentity: tenantFromHeader,
      cacheGroup: "catalog-cache",
      retention: { targets: catalogRetentionTargets(mongo.db, documentRetention), settings: documentRetention },
    });
    opened.push({ dispose: () => mongo.dispose(), module });
    await mongo.db.collection(PROCESSED_EVENTS).insertMany([
      { consumer: "catalog", event_id: "old", processed_at: ago(15 * DAY) },
      { consumer: "catalog", event_id: "young", processed_at: ago(13 * DAY) },
    ]);
    await seedLocks(mongo.db);
    await module.start?.();
    expect(await eventually(idsOf(mongo.db, PROCESSED_EVENTS, "event_id"), ["young"])).toEqual(["young"]);
    expect(await eventually(idsOf(mongo.db, DOCUMENT_LOCKS), ["x/held"])).toEqual(["x/held"]);
  });

  it("reviews: on MongoDB stores a dead holder's lock goes and a held one stays; on memory stores no sweeper runs", async () => {
    const mongo = await openMongoTestDatabase("reviews_retention", reviewIndexes);
    const deps = {
      products: new MemoryProductCatalog(),
      publisher: createMemoryEventBus().publisher,
      clock,
      logger,
      resolveIdentity: tenantFromHeader,
      retention: documentRetention,
    };
    const module = reviewsModule({ ...deps, stores: mongoReviewStores(mongo.db) });
    opened.push({ dispose: () => mongo.dispose(), module });
    await seedLocks(mongo.db);
    await module.start?.();
    expect(await eventually(idsOf(mongo.db, DOCUMENT_LOCKS), ["x/held"])).toEqual(["x/held"]);

    expect(memoryReviewStores().retentionTargets).toBeUndefined();
    const memoryOnly = reviewsModule({ ...deps, stores: memoryReviewStores() });
    await memoryOnly.start?.();
    await memoryOnly.stop?.();
  });
});
