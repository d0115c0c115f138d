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

  it("when ten claims race for one event, round after round, then exactly one wins each time (the unique index holds)", async () => {
    const events = await store();
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(Array.from({ length: 10 }, () => events.claim("catalog", `evt-race-${round}`)));
      expect(results.filter(Boolean), `round ${round}`).toHaveLength(1);
    }
  });
});
