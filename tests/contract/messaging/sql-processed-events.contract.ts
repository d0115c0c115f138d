import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMikroOrmProcessedEvents, markProcessed } from "../../../adapters/mikro-orm/mikro-orm-processed-events.ts";
import { describeProcessedEventsContract } from "./processed-events.contract.ts";
import { ContractTally } from "./support/contract-entities.ts";
import type { TestDatabase } from "./support/sqlite-test-database.ts";
import { uniqueName } from "./support/unique-name.ts";

/** The MikroORM store: the port's contract, plus marking inside the handler's own transaction. */
export function describeSqlProcessedEvents(adapter: string, createDatabase: () => Promise<TestDatabase>): void {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createDatabase();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  describeProcessedEventsContract(adapter, async () => createMikroOrmProcessedEvents(database.em));

  describe(`processed events in the handler's transaction: ${adapter}`, () => {
    it("when the handler's transaction commits, then its writes and the mark are both stored, and a second mark reports the duplicate", async () => {
      const eventId = uniqueName("evt");

      const first = await database.em.fork().transactional(async (em) => {
        const fresh = await markProcessed(em, "inventory", eventId);
        em.create(ContractTally, { name: eventId, count: 1 });
        return fresh;
      });
      const second = await database.em.fork().transactional((em) => markProcessed(em, "inventory", eventId));

      expect([first, second]).toEqual([true, false]);
      expect(await createMikroOrmProcessedEvents(database.em).isProcessed("inventory", eventId)).toBe(true);
      expect(await database.em.fork().count(ContractTally, { name: eventId })).toBe(1);
    });

    it("when the handler's transaction throws, then neither its writes nor the mark remain, and a redelivery is processed", async () => {
      const eventId = uniqueName("evt");

      await expect(
        database.em.fork().transactional(async (em) => {
          await markProcessed(em, "inventory", eventId);
          em.create(ContractTally, { name: eventId, count: 1 });
          await em.flush();
          throw new Error("stock row locked");
        }),
      ).rejects.toThrow("stock row locked");

      expect(await createMikroOrmProcessedEvents(database.em).isProcessed("inventory", eventId)).toBe(false);
      expect(await database.em.fork().count(ContractTally, { name: eventId })).toBe(0);
      expect(await database.em.fork().transactional((em) => markProcessed(em, "inventory", eventId))).toBe(true);
    });
  });
}
