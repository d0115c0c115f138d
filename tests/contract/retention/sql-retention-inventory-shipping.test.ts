import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineEntity, p } from "@mikro-orm/core";
import { afterEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import type { RequestContext, TenantId } from "../../../core/kit/request-context.ts";
import { sweepExpired } from "../../../core/kit/retention.ts";
import { InventoryIdempotencyRecord, inventoryEntities } from "../../../adapters/mikro-orm/inventory/inventory-records.ts";
import { MikroOrmInventoryStore } from "../../../adapters/mikro-orm/inventory/mikro-orm-inventory-store.ts";
import { OutboxEvent } from "../../../adapters/mikro-orm/outbox-event-entity.ts";
import { ProcessedEvent } from "../../../adapters/mikro-orm/processed-event-entity.ts";
import { shippingEntities } from "../../../adapters/mikro-orm/shipping/shipping-records.ts";
import { openSqlDatabase, type SqlDatabaseLocation } from "../../../adapters/mikro-orm/sql-database.ts";
import { inventoryEventMapper } from "../../../services/inventory/inventory-event-mapper.ts";
import { inventoryRetentionTargets } from "../../../services/inventory/inventory-retention.ts";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSettings } from "../../../services/runtime/retention-config.ts";
import { messagingRetentionTargets } from "../../../services/runtime/retention-targets.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { openSqlTestDatabase, type SqlEngine, type SqlTestDatabase } from "../../support/sql-test-database.ts";
import { uniqueName } from "../../support/unique-name.ts";

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

/** AdjustStock's stored answers as the previous version wrote them: no `created_at`. */
const UnstampedIdempotencyRecord = defineEntity({
  name: "InventoryIdempotencyRecord",
  tableName: "inventory_idempotency_keys",
  properties: {
    tenantId: p.string().length(63).primary(),
    scope: p.string().length(32).primary(),
    idempotencyKey: p.string().length(128).primary(),
    fingerprint: p.text(),
    response: p.text(),
  },
});

const answer = (idempotencyKey: string) => ({
  tenantId: "acme",
  scope: "adjust_stock",
  idempotencyKey,
  fingerprint: "f",
  response: "{}",
});

async function answerKeys(em: SqlTestDatabase["em"]): Promise<string[]> {
  const rows = await em.fork().find(InventoryIdempotencyRecord, {}, { disableIdentityMap: true });
  return rows.map((row) => row.idempotencyKey).sort();
}

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  describe(`retention of inventory's idempotency keys on ${engine}`, () => {
    let db: SqlTestDatabase;
    afterEach(async () => {
      await db.dispose();
    });

    it("the store stamps an answer with when it wrote it", async () => {
      db = await openSqlTestDatabase(engine, "inventory_idem_stamp", inventoryEntities);
      const store = new MikroOrmInventoryStore(db.em, inventoryEventMapper);
      const ctx = { tenantId: "acme" as TenantId } as RequestContext;
      const before = Date.now();
      await store.transaction(ctx, (tx) => tx.saveIdempotent("adjust_stock", "key-0001", "f", "{}"));
      const after = Date.now();
      const [row] = await db.em.fork().find(InventoryIdempotencyRecord, {}, { disableIdentityMap: true });
      expect(row?.createdAt).toBeInstanceOf(Date);
      // MariaDB's datetime(3) and SQLite's integer keep milliseconds.
      expect(row?.createdAt?.getTime()).toBeGreaterThanOrEqual(before);
      expect(row?.createdAt?.getTime()).toBeLessThanOrEqual(after);
    });

    it("answers written over the window ago go, in batches; those on the cutoff or inside it stay", async () => {
      db = await openSqlTestDatabase(engine, "inventory_idem_retention", inventoryEntities);
      const keepMs = settings.idempotencyWindowMs;
      expect(keepMs).toBe(7 * DAY);
      const written = {
        "long-gone": at(-keepMs - 30 * DAY),
        "just-gone-1": at(-keepMs - 1),
        "just-gone-2": at(-keepMs - 2),
        "on-cutoff": at(-keepMs),
        "inside-1": at(-keepMs + 1),
        "inside-2": at(-DAY),
      };
      const em = db.em.fork();
      for (const [key, createdAt] of Object.entries(written))
        await em.insert(InventoryIdempotencyRecord, { ...answer(key), createdAt });
      const deleted = await sweepExpired(inventoryRetentionTargets(db.em, settings, fixedClock(now)), { now, batchSize: 2 });
      expect(deleted).toMatchObject({ inventory_idempotency_keys: 3 });
      expect(await answerKeys(db.em)).toEqual(["inside-1", "inside-2", "on-cutoff"]);
    });

    it("after the schema update of a database the previous version wrote, its answers are kept a window from the first sweep, then go", async () => {
      const database = uniqueName("shopmesh_test_inventory_idem_upgrade");
      const location: SqlDatabaseLocation =
        engine === "mariadb"
          ? { kind: "mysql", url: requiredEnv("SHOPMESH_MYSQL_URL"), database }
          : { kind: "sqlite", file: join(tmpdir(), `${database}.sqlite3`) };
      const previous = await openSqlDatabase(location, [UnstampedIdempotencyRecord]);
      for (const key of ["legacy-1", "legacy-2", "legacy-3"])
        await previous.em.fork().insert(UnstampedIdempotencyRecord, answer(key));
      await previous.close();

      const current = await openSqlDatabase(location, inventoryEntities);
      db = {
        ...current,
        outbox: async () => [],
        async dispose() {
          if (engine === "mariadb") await current.em.getConnection().execute(`drop database if exists \`${database}\``);
          await current.close();
          if (engine === "sqlite") await rm(location.kind === "sqlite" ? location.file : "", { force: true });
        },
      };
      const unstamped = await db.em.fork().find(InventoryIdempotencyRecord, {}, { disableIdentityMap: true });
      expect(unstamped.map((row) => row.createdAt)).toEqual([null, null, null]);

      const clock = fixedClock(now);
      const sweepAt = () => sweepExpired(inventoryRetentionTargets(db.em, settings, clock), { now: clock.now(), batchSize: 2 });
      expect(await sweepAt()).toMatchObject({ inventory_idempotency_keys: 0 });
      const stamped = await db.em.fork().find(InventoryIdempotencyRecord, {}, { disableIdentityMap: true });
      expect(stamped.map((row) => row.createdAt?.getTime())).toEqual([now.getTime(), now.getTime(), now.getTime()]);

      clock.advance(settings.idempotencyWindowMs);
      expect(await sweepAt()).toMatchObject({ inventory_idempotency_keys: 0 });
      expect(await answerKeys(db.em)).toEqual(["legacy-1", "legacy-2", "legacy-3"]);
      clock.advance(1);
      expect(await sweepAt()).toMatchObject({ inventory_idempotency_keys: 3 });
      expect(await answerKeys(db.em)).toEqual([]);
    });

    if (engine === "mariadb") {
      it("the sweep's picks (stamped before the cutoff, in stamp order; unstamped) read the created_at index", async () => {
        db = await openSqlTestDatabase(engine, "inventory_idem_explain", inventoryEntities);
        const em = db.em.fork();
        for (let i = 0; i < 200; i++) {
          await em.insert(InventoryIdempotencyRecord, { ...answer(`k-${i}`), createdAt: i % 10 === 0 ? null : at(-i * DAY) });
        }
        await db.em.getConnection().execute("analyze table inventory_idempotency_keys");
        const keys = "`tenant_id`, `scope`, `idempotency_key`";
        for (const pick of [
          `select ${keys} from inventory_idempotency_keys where created_at < ? order by created_at asc limit 500`,
          `select ${keys} from inventory_idempotency_keys where created_at is null limit 500`,
        ]) {
          const plan = (await db.em.getConnection().execute(`explain ${pick}`, [now])) as {
            key: string | null;
            Extra: string | null;
          }[];
          expect(plan[0]?.key, `${pick}: ${JSON.stringify(plan)}`).toBe("inventory_idempotency_keys_created_at_index");
          expect(plan[0]?.Extra ?? "", pick).not.toMatch(/filesort/i);
        }
      });
    }
  });
}
