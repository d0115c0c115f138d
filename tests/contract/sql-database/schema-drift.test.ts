import { readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineEntity, p } from "@mikro-orm/core";
import { MikroORM as MySqlMikroORM } from "@mikro-orm/mysql";
import { MikroORM, NodeSqliteDialect, type SqlEntityManager, SqliteDriver } from "@mikro-orm/sql";
import { afterEach, describe, expect, it } from "vitest";
import { cartEntities } from "../../../adapters/mikro-orm/cart/cart-record.ts";
import {
  inventoryEntities,
  ReservationRecord,
  StockMovementRecord,
} from "../../../adapters/mikro-orm/inventory/inventory-records.ts";
import { messagingEntities } from "../../../adapters/mikro-orm/messaging-entities.ts";
import { notificationEntities } from "../../../adapters/mikro-orm/notifications/notification-records.ts";
import { orderEntities } from "../../../adapters/mikro-orm/orders/order-records.ts";
import { OutboxEvent } from "../../../adapters/mikro-orm/outbox-event-entity.ts";
import { paymentEntities } from "../../../adapters/mikro-orm/payment/payment-records.ts";
import { shippingEntities } from "../../../adapters/mikro-orm/shipping/shipping-records.ts";
import { initSqlOrm, openSqlDatabase, type SqlDatabaseLocation } from "../../../adapters/mikro-orm/sql-database.ts";
import { authEntities } from "../../../services/auth/auth-module.ts";
import { usersEntities } from "../../../services/users/users-entities.ts";
import type { SqlEngine } from "../../support/sql-test-database.ts";
import { requiredEnv } from "../../support/required-env.ts";
import { uniqueName } from "../../support/unique-name.ts";

// Every context's entity set, as its processes pass it to openSqlDatabase.
const contextEntities: Record<string, readonly unknown[]> = {
  authEntities,
  usersEntities,
  inventoryEntities,
  cartEntities,
  orderEntities,
  paymentEntities,
  shippingEntities,
  notificationEntities,
};

// A table before and after a change the update must still make (the comparison rules of the kit
// leave out only what the engines misread: an autoincrement key's type, an undeclared default).
const probeColumns = {
  sequence: p.bigint("number").primary().autoincrement(),
  note: p.string().length(32).nullable(),
};
const ProbeBefore = defineEntity({ name: "DriftProbe", tableName: "drift_probe", properties: probeColumns });
const ProbeAfter = defineEntity({
  name: "DriftProbe",
  tableName: "drift_probe",
  properties: { ...probeColumns, note: p.string().length(64).nullable(), label: p.string().length(16).nullable() },
});

/** What the next start would run against the database: the update openSqlDatabase applies. */
async function pendingUpdate(location: SqlDatabaseLocation, entities: readonly unknown[]): Promise<string> {
  const orm = await initSqlOrm(location, entities as never[]);
  try {
    return (await orm.schema.getUpdateSchemaSQL({ safe: true, wrap: false })).trim();
  } finally {
    await orm.close(true);
  }
}

/** A database of its own: a SQLite file (a second open must see the first one's tables) or a MariaDB database. */
function newLocation(engine: SqlEngine, purpose: string): SqlDatabaseLocation {
  const database = uniqueName(`shopmesh_test_drift_${purpose}`);
  return engine === "mariadb"
    ? { kind: "mysql", url: requiredEnv("SHOPMESH_MYSQL_URL"), database }
    : { kind: "sqlite", file: join(tmpdir(), `${database}.sqlite3`) };
}

async function removeDatabase(location: SqlDatabaseLocation): Promise<void> {
  if (location.kind === "sqlite") {
    await rm(location.file, { force: true });
    return;
  }
  const orm = await initSqlOrm(location, []);
  await orm.schema.dropDatabase(location.database);
  await orm.close(true);
}

/** The exported `<context>Entities` sets in the code base (the messaging set comes with every one). */
async function declaredEntitySets(): Promise<string[]> {
  const names = new Set<string>();
  for (const root of ["adapters", "services"]) {
    for (const file of await readdir(root, { recursive: true })) {
      if (!file.endsWith(".ts")) continue;
      const source = await readFile(join(root, file), "utf8");
      for (const match of source.matchAll(/export const (\w+Entities) =/g)) names.add(match[1] as string);
    }
  }
  names.delete("messagingEntities");
  return [...names].sort();
}

it("covers every context's entity set", async () => {
  expect(Object.keys(contextEntities).sort()).toEqual(await declaredEntitySets());
});

for (const engine of ["sqlite", "mariadb"] satisfies SqlEngine[]) {
  describe(`schema update at start on ${engine}`, () => {
    let location: SqlDatabaseLocation | undefined;
    afterEach(async () => {
      if (location) await removeDatabase(location);
      location = undefined;
    });

    for (const [name, entities] of Object.entries(contextEntities)) {
      it(`${name}: a database the start created needs no change at the next start`, async () => {
        location = newLocation(engine, name.replace("Entities", ""));
        await (await openSqlDatabase(location, entities as never[])).close();
        expect(await pendingUpdate(location, entities)).toBe("");
      });
    }

    it("a real change (a new column; on MariaDB a longer one) is still found and applied", async () => {
      location = newLocation(engine, "probe");
      await (await openSqlDatabase(location, [ProbeBefore])).close();
      const pending = await pendingUpdate(location, [ProbeAfter]);
      expect(pending).toMatch(/add `label`|add column `label`/);
      if (engine === "mariadb") expect(pending).toContain("modify `note` varchar(64) null");
      await (await openSqlDatabase(location, [ProbeAfter])).close();
      expect(await pendingUpdate(location, [ProbeAfter])).toBe("");
    });

    it("inventory: a database the previous version created, filled and started again needs no change and keeps its rows", async () => {
      location = newLocation(engine, "inventory_upgrade");
      const first = await startPreviousVersion(location);
      await writeInventoryRows(first.em.fork());
      await first.close();
      await (await startPreviousVersion(location)).close();

      expect(await pendingUpdate(location, inventoryEntities)).toBe("");
      const current = await openSqlDatabase(location, inventoryEntities);
      const em = current.em.fork();
      expect((await em.find(StockMovementRecord, {})).map((row) => [row.movementId, row.note])).toEqual([
        ["m-1", null],
        ["m-2", "recount"],
      ]);
      expect((await em.find(ReservationRecord, {})).map((row) => [row.orderId, row.releaseReason])).toEqual([["o-1", null]]);
      expect((await em.find(OutboxEvent, {})).map((row) => [row.eventId, row.publishedAt])).toEqual([["e-1", null]]);
      await current.close();
    });
  });
}

/**
 * A start of the version before the kit's comparison rules: the same entities, each start running
 * the update it computed (tables rebuilt on SQLite, nullable columns modified on MariaDB).
 */
async function startPreviousVersion(location: SqlDatabaseLocation): Promise<{ em: SqlEntityManager; close(): Promise<void> }> {
  const entities = [...inventoryEntities, ...messagingEntities] as never[];
  const orm =
    location.kind === "mysql"
      ? await MySqlMikroORM.init({ clientUrl: location.url, dbName: location.database, entities })
      : await MikroORM.init({
          driver: SqliteDriver,
          dbName: location.file,
          driverOptions: new NodeSqliteDialect(location.file),
          entities,
        });
  await orm.schema.ensureDatabase();
  await orm.schema.update({ safe: true });
  return { em: orm.em as SqlEntityManager, close: () => orm.close(true) };
}

async function writeInventoryRows(em: SqlEntityManager): Promise<void> {
  const at = new Date("2026-12-01T10:00:00.000Z");
  const movement = {
    tenantId: "t-1",
    sku: "SKU-1",
    locationId: "main",
    kind: "adjustment",
    onHandDelta: 5,
    reservedDelta: 0,
    onHandAfter: 5,
    reservedAfter: 0,
    occurredAt: at,
  };
  await em.insert(StockMovementRecord, { ...movement, movementId: "m-1" });
  await em.insert(StockMovementRecord, { ...movement, movementId: "m-2", adjustmentReason: "count", note: "recount" });
  await em.insert(ReservationRecord, {
    tenantId: "t-1",
    orderId: "o-1",
    reservationId: "r-1",
    status: "held",
    lines: "[]",
    shortLines: "[]",
    skus: ",SKU-1,",
    createdAt: at,
    expiresAt: at,
    updatedAt: at,
  });
  await em.insert(OutboxEvent, {
    eventId: "e-1",
    topic: "inventory",
    eventKey: "SKU-1",
    eventType: "StockAdjusted",
    schemaVersion: 1,
    tenantId: "t-1",
    correlationId: "c-1",
    occurredAt: at,
    payload: Buffer.from("payload"),
  });
}
