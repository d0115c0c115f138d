import { afterAll, describe, expect, it } from "vitest";
import { catalogIndexes } from "../../../adapters/mongo/catalog/catalog-indexes.ts";
import { MongoProductRepository } from "../../../adapters/mongo/catalog/mongo-product-repository.ts";
import { PRODUCTS } from "../../../adapters/mongo/catalog/product-document.ts";
import { type MongoDatabase, openMongoDatabase } from "../../../adapters/mongo/mongo-database.ts";
import { publishMongoOutboxBatch } from "../../../adapters/mongo/mongo-outbox-relay.ts";
import { Product } from "../../../core/catalog/product.ts";
import { ratingSummary } from "../../../core/catalog/rating-summary.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { productEventMapper } from "../../../services/catalog/product-event-mapper.ts";
import { aProduct } from "../../unit/catalog/catalog-builders.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { type MongoTestDatabase, openMongoTestDatabase } from "../mongo/support/mongo-test-database.ts";

/**
 * FerretDB 1.24 (SQLite) runs an update as read, change, write back the whole document, NOT
 * atomically: two writers of one document can both "match" their filter and the later write
 * erases the earlier one. These races go through the real adapters and the real relay; the
 * writers of "another process" use a client of their own, so they meet only in the database.
 */
const databases: MongoTestDatabase[] = [];
const otherClients: MongoDatabase[] = [];
afterAll(async () => {
  for (const other of otherClients) await other.close();
  for (const database of databases) await database.dispose();
});

/** The test database twice: as this process and as another process would open it. */
async function twoProcesses() {
  const database = await openMongoTestDatabase("catalog_races", catalogIndexes);
  databases.push(database);
  const other = await openMongoDatabase({ url: requiredEnv("SHOPMESH_MONGO_URL"), database: database.db.databaseName });
  otherClients.push(other);
  return { db: database.db, otherDb: other.db };
}

const acme = parseTenantId("acme");
const ctx: RequestContext = { tenantId: acme, caller: undefined, correlationId: "races", signal: new AbortController().signal };
const WRITES = 30;

describe("product documents under concurrent writers on FerretDB", () => {
  it("when the relay clears published events while updates and ratings write the document, then no event or change is lost", async () => {
    const { db, otherDb } = await twoProcesses();
    const products = new MongoProductRepository(db, productEventMapper);
    const sku = `SKU-${Date.now().toString(36)}`;
    const product = Product.create(
      { tenantId: acme, id: "p-race", creationKey: "k-race", content: aProduct({ name: "v1" }, sku), currency: "EUR" },
      new Date(),
    );
    await products.add(product, ctx);
    const published: IntegrationEvent[] = [];
    const publisher = {
      async publish(events: readonly IntegrationEvent[]) {
        published.push(...events);
      },
    };
    let writing = true;
    const writer = (async () => {
      try {
        for (let i = 0; i < WRITES; i++) {
          const loaded = (await products.find(acme, product.id))!;
          loaded.replaceContent(aProduct({ name: `v${i + 2}` }, sku), "EUR", new Date());
          await Promise.all([
            products.update(loaded, ctx),
            products.applyRating(acme, product.id, ratingSummary([0, 0, 0, 0, i + 1], i + 1)),
          ]);
        }
      } finally {
        writing = false;
      }
    })();
    const relay = (async () => {
      while (writing) await publishMongoOutboxBatch(otherDb, [PRODUCTS], publisher, { batchSize: 10 });
    })();
    await Promise.all([writer, relay]);
    await publishMongoOutboxBatch(otherDb, [PRODUCTS], publisher, { batchSize: 10 });

    const updates = new Set(published.filter((e) => e.type === "shop.events.v1.ProductUpdated").map((e) => e.id));
    expect(updates.size).toBe(WRITES);
    expect((await products.find(acme, product.id))?.snapshot()).toMatchObject({
      name: `v${WRITES + 1}`,
      version: WRITES + 1,
      rating: { version: WRITES },
    });
  });

  it("when writers in two processes update one product from one version, then exactly one succeeds", async () => {
    const { db, otherDb } = await twoProcesses();
    const here = new MongoProductRepository(db, productEventMapper);
    const there = new MongoProductRepository(otherDb, productEventMapper);
    for (let round = 0; round < 5; round++) {
      const sku = `SKU-${round}`;
      const product = Product.create(
        { tenantId: acme, id: `p-${round}`, creationKey: `k-${round}`, content: aProduct({}, sku), currency: "EUR" },
        new Date(),
      );
      await here.add(product, ctx);
      const writers = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? here : there));
      const copies = await Promise.all(writers.map((repo) => repo.find(acme, product.id)));
      for (const [i, copy] of copies.entries()) copy!.replaceContent(aProduct({ name: `Writer ${i}` }, sku), "EUR", new Date());

      const outcomes = await Promise.allSettled(copies.map((copy, i) => writers[i]!.update(copy!, ctx)));

      const won = outcomes.flatMap((o, i) => (o.status === "fulfilled" ? [i] : []));
      expect(won, `round ${round}`).toHaveLength(1);
      const stored = await db.collection(PRODUCTS).findOne({ product_id: product.id });
      expect(stored).toMatchObject({ name: `Writer ${won[0]}`, version: 2 });
      expect((stored!.outbox_events as { type: string }[]).map((e) => e.type)).toEqual([
        "shop.events.v1.ProductCreated",
        "shop.events.v1.ProductUpdated",
      ]);
    }
  });
});
