import { afterAll, describe, expect, it } from "vitest";
import {
  createMongoProcessedEvents,
  PROCESSED_EVENTS,
  processedEventsIndexes,
} from "../../../adapters/mongo/mongo-processed-events.ts";
import { describeProcessedEventsContract } from "../messaging/processed-events.contract.ts";
import { type MongoTestDatabase, openMongoTestDatabase } from "./support/mongo-test-database.ts";

const databases: MongoTestDatabase[] = [];
async function store() {
  const database = await openMongoTestDatabase("processed", { [PROCESSED_EVENTS]: processedEventsIndexes });
  databases.push(database);
  return createMongoProcessedEvents(database.db);
}
afterAll(async () => {
  for (const database of databases) await database.dispose();
});

describeProcessedEventsContract("FerretDB (mongo)", store);

describe("Mongo processed events, beyond the contract", () => {
  it("when two claims race for one event, then exactly one wins", async () => {
    const events = await store();
    const results = await Promise.all([events.claim("catalog", "evt-1"), events.claim("catalog", "evt-1")]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
