import { afterEach, describe, expect, it } from "vitest";
import { sweepExpired } from "../../../core/kit/retention.ts";
import { inventoryEntities } from "../../../adapters/mikro-orm/inventory/inventory-records.ts";
import { OutboxEvent } from "../../../adapters/mikro-orm/outbox-event-entity.ts";
import { ProcessedEvent } from "../../../adapters/mikro-orm/processed-event-entity.ts";
import { shippingEntities } from "../../../adapters/mikro-orm/shipping/shipping-records.ts";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSettings } from "../../../services/runtime/retention-config.ts";
import { messagingRetentionTargets } from "../../../services/runtime/retention-targets.ts";
import { openSqlTestDatabase, type SqlTestDatabase } from "../../support/sql-test-database.ts";

const DAY = 24 * 60 * 60_000;
const now = new Date("2026-12-08T12:00:00.000Z");
const at = (ms: number) => new Date(now.getTime() + ms);
const settings: RetentionSettings = { ...DEFAULT_RETENTION_SETTINGS, batchSize: 2 };

/** Inventory's and shipping's databases (their own tables beside the messaging ones) on MariaDB. */
for (const [context, entities] of [
  ["inventory", inventoryEntities],
  ["shipping", shippingEntities],
] as const) {
  describe(`retention of ${context}'s messaging tables on MariaDB`, () => {
    let db: SqlTestDatabase;
    afterEach(async () => {
      await db.dispose();
    });

    it("marks past 14 days and rows published over 7 days ago go, in batches, by an index on the stamp; the rest stay", async () => {
      db = await openSqlTestDatabase("mariadb", `${context}_retention`, entities);
      const em = db.em.fork();
      for (let i = 0; i < 5; i++) {
        await em.insert(ProcessedEvent, { consumer: context, eventId: `old-${i}`, processedAt: at(-14 * DAY - 1 - i) });
      }
      await em.insert(ProcessedEvent, { consumer: context, eventId: "on-cutoff", processedAt: at(-14 * DAY) });
      await em.insert(ProcessedEvent, { consumer: context, eventId: "young", processedAt: at(-DAY) });
      for (const [eventId, publishedAt] of [
        ["published-long-ago", at(-8 * DAY)],
        ["published-lately", at(-DAY)],
        ["unpublished", null],
      ] as const) {
        await em.insert(OutboxEvent, {
          eventId,
          topic: `${context}-events`,
          eventKey: "acme/x",
          eventType: "shop.events.v1.Test",
          schemaVersion: 1,
          tenantId: "acme",
          correlationId: "c",
          occurredAt: at(-60 * DAY),
          payload: Buffer.from([1]),
          publishedAt,
        });
      }
      const deleted = await sweepExpired(messagingRetentionTargets(db.em, settings), { now, batchSize: settings.batchSize });
      expect(deleted).toEqual({ processed_events: 5, "outbox_events.published": 1 });
      const marks = await db.em.fork().find(ProcessedEvent, {}, { orderBy: { eventId: "asc" } });
      expect(marks.map((mark) => mark.eventId)).toEqual(["on-cutoff", "young"]);
      const outbox = await db.em.fork().find(OutboxEvent, {}, { orderBy: { eventId: "asc" } });
      expect(outbox.map((row) => row.eventId)).toEqual(["published-lately", "unpublished"]);

      const connection = db.em.getConnection();
      for (const [table, column] of [
        ["processed_events", "processed_at"],
        ["outbox_events", "published_at"],
      ]) {
        const [plan] = (await connection.execute(
          `explain select * from \`${table}\` where \`${column}\` < ? order by \`${column}\` asc limit 500`,
          [now],
        )) as { key: string | null; Extra: string | null }[];
        expect(plan?.key, `${table}: ${JSON.stringify(plan)}`).toBeTruthy();
        expect(plan?.Extra ?? "", table).not.toMatch(/filesort/i);
      }
    });
  });
}
