import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../../core/kit/clock.ts";
import { randomId } from "../../../core/kit/ids.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { DEFAULT_INVENTORY_POLICY, type InventoryDeps } from "../../../core/inventory/inventory-deps.ts";
import { expireDueReservations, reserveStock } from "../../../core/inventory/reservations.ts";
import { getStock, setRestockThreshold, setStock } from "../../../core/inventory/stock-admin.ts";
import { inventoryEntities, StockMovementRecord } from "../../../adapters/mikro-orm/inventory/inventory-records.ts";
import { MikroOrmInventoryStore } from "../../../adapters/mikro-orm/inventory/mikro-orm-inventory-store.ts";
import { inventoryEventMapper } from "../../../services/inventory/inventory-event-mapper.ts";
import { openSqlTestDatabase, type SqlTestDatabase } from "../../support/sql-test-database.ts";

const ctx = (roles?: string[]): RequestContext => ({
  tenantId: parseTenantId("acme"),
  caller: roles ? { userId: "admin-1", roles } : undefined,
  correlationId: "contention",
  signal: new AbortController().signal,
});
const admin = ctx(["tenant_admin"]);
const service = ctx();

let db: SqlTestDatabase;
let store: MikroOrmInventoryStore;
let deps: InventoryDeps;

beforeAll(async () => {
  db = await openSqlTestDatabase("mariadb", "inventory_contention", inventoryEntities);
  store = new MikroOrmInventoryStore(db.em, inventoryEventMapper);
  deps = { store, clock: systemClock, newId: randomId, policy: DEFAULT_INVENTORY_POLICY };
});
afterAll(async () => {
  await db?.dispose();
});

/** Sum of the ledger's reserved deltas for a SKU, straight from the table. */
async function ledgerOf(sku: string): Promise<{ onHand: number; reserved: number }> {
  const rows = await db.em.fork().find(StockMovementRecord, { tenantId: "acme", sku });
  return {
    onHand: rows.reduce((sum, row) => sum + row.onHandDelta, 0),
    reserved: rows.reduce((sum, row) => sum + row.reservedDelta, 0),
  };
}

describe("reservations under contention on real MariaDB", () => {
  it("when 1,000 orders race for 100 units of one SKU, then exactly 100 are reserved and 900 rejected", async () => {
    await setStock(deps, admin, { sku: "hot", locationId: "main", onHand: 100, reason: "received" });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 1_000 }, (_, i) =>
        reserveStock(deps, service, { orderId: `hot-${i}`, lines: [{ sku: "hot", quantity: 1 }] }),
      ),
    );
    const failed = outcomes.filter((o) => o.status === "rejected");
    expect(failed).toEqual([]);
    const statuses = outcomes.map((o) => (o.status === "fulfilled" ? o.value.status : "error"));
    expect(statuses.filter((s) => s === "reserved")).toHaveLength(100);
    expect(statuses.filter((s) => s === "rejected")).toHaveLength(900);
    const { summary } = await getStock(deps, admin, "hot");
    expect(summary).toMatchObject({ onHand: 100, reserved: 100, available: 0 });
    expect(await ledgerOf("hot")).toEqual({ onHand: 100, reserved: 100 });
  });

  it("when multi-SKU orders overlap in opposite order, then none deadlocks to the caller and all-or-nothing holds", async () => {
    await setStock(deps, admin, { sku: "left", locationId: "main", onHand: 60, reason: "received" });
    await setStock(deps, admin, { sku: "right", locationId: "main", onHand: 60, reason: "received" });
    await setStock(deps, admin, { sku: "right", locationId: "spare", onHand: 15, reason: "received" });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 400 }, (_, i) =>
        reserveStock(deps, service, {
          orderId: `pair-${i}`,
          lines:
            i % 2 === 0
              ? [
                  { sku: "left", quantity: 1 },
                  { sku: "right", quantity: 2 },
                ]
              : [
                  { sku: "right", quantity: 2 },
                  { sku: "left", quantity: 1 },
                ],
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
    const reserved = outcomes.filter((o) => o.status === "fulfilled" && o.value.status === "reserved");
    // right holds 75 units: 37 orders of 2 fit; left (60) is not the limit.
    expect(reserved).toHaveLength(37);
    const left = (await getStock(deps, admin, "left")).summary;
    const right = (await getStock(deps, admin, "right")).summary;
    expect(left).toMatchObject({ onHand: 60, reserved: 37 });
    expect(right).toMatchObject({ onHand: 75, reserved: 74 });
    for (const level of (await getStock(deps, admin, "right")).levels)
      expect(level.onHand - level.reserved).toBeGreaterThanOrEqual(0);
    expect((await ledgerOf("left")).reserved).toBe(37);
    expect((await ledgerOf("right")).reserved).toBe(74);
  });

  it("when one order is reserved 50 times at once, then it is reserved once", async () => {
    await setStock(deps, admin, { sku: "twin", locationId: "main", onHand: 10, reason: "received" });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () =>
        reserveStock(deps, service, { orderId: "twin-order", lines: [{ sku: "twin", quantity: 3 }] }),
      ),
    );
    expect(new Set(outcomes.map((r) => r.id)).size).toBe(1);
    expect((await getStock(deps, admin, "twin")).summary.reserved).toBe(3);
    expect((await ledgerOf("twin")).reserved).toBe(3);
  });

  it("when the guess holds, then the fast path commits reservation, ledger and events at once; a replay gives way to the first", async () => {
    await setStock(deps, admin, { sku: "fast-a", locationId: "main", onHand: 5, reason: "received" });
    await setStock(deps, admin, { sku: "fast-b", locationId: "main", onHand: 3, reason: "received" });
    await setStock(deps, admin, { sku: "fast-c", locationId: "main", onHand: 2, reason: "received" });
    await setRestockThreshold(deps, admin, "fast-b", 1);
    const gaveWay = store.guessesGivenWay;
    const atOnce = store.guessesCommittedAtOnce;
    const [{ last }] = (await db.em.getConnection().execute("select coalesce(max(sequence), 0) as last from outbox_events")) as [
      { last: number },
    ];
    const lines = [
      { sku: "fast-c", quantity: 2 },
      { sku: "fast-b", quantity: 2 },
      { sku: "fast-a", quantity: 1 },
    ];
    const first = await reserveStock(deps, service, { orderId: "fast-1", lines });
    expect(first.status).toBe("reserved");
    expect(store.guessesGivenWay).toBe(gaveWay);
    // Nobody touched the rows since the snapshot: the prediction held, one statement committed it all.
    expect(store.guessesCommittedAtOnce).toBe(atOnce + 1);
    const ledger = await db.em
      .fork()
      .find(StockMovementRecord, { tenantId: "acme", orderId: "fast-1" }, { orderBy: { sku: "asc" } });
    expect(ledger.map((m) => [m.sku, m.kind, m.reservedDelta, m.onHandAfter, m.reservedAfter])).toEqual([
      ["fast-a", "reserved", 1, 5, 1],
      ["fast-b", "reserved", 2, 3, 2],
      ["fast-c", "reserved", 2, 2, 2],
    ]);
    const outbox: { event_type: string; event_key: string }[] = await db.em
      .getConnection()
      .execute("select event_type, event_key from outbox_events where sequence > ? order by sequence", [last]);
    expect(outbox.map((e) => [e.event_type.replace("shop.events.v1.", ""), e.event_key])).toEqual([
      ["InventoryReserved", "fast-1"],
      ["StockLow", "fast-b"],
      ["StockAvailabilityChanged", "fast-c"],
    ]);

    // A replay whose guess still fits meets the order's unique key and gives way to the locked path.
    const second = await reserveStock(deps, service, { orderId: "fast-2", lines: [{ sku: "fast-a", quantity: 1 }] });
    const replay = await reserveStock(deps, service, { orderId: "fast-2", lines: [{ sku: "fast-a", quantity: 1 }] });
    expect(replay.id).toBe(second.id);
    expect(store.guessesGivenWay).toBe(gaveWay + 1);
    expect((await getStock(deps, admin, "fast-a")).summary).toMatchObject({ onHand: 5, reserved: 2 });
    expect(await ledgerOf("fast-a")).toEqual({ onHand: 5, reserved: 2 });
  });

  it("when a guessed reservation stops before its COMMIT, then its rows are written under lock yet unseen; failing there leaves nothing and a redelivery reserves once", async () => {
    await setStock(deps, admin, { sku: "open-tx", locationId: "main", onHand: 4, reason: "received" });
    const seen: unknown[] = [];
    const hooked = new MikroOrmInventoryStore(db.em, inventoryEventMapper, undefined, {
      beforeGuessedCommit: async () => {
        // From other connections: the stock row is locked by the open transaction, nothing of it is visible yet.
        const locked = await db.em
          .getConnection()
          .execute("select on_hand from inventory_stock where tenant_id = 'acme' and sku = 'open-tx' for update nowait")
          .then(
            () => "free",
            () => "locked",
          );
        const [level] = await store.readStock(parseTenantId("acme"), ["open-tx"]);
        seen.push(locked, [level?.onHand, level?.reserved], await store.findReservation(parseTenantId("acme"), "open-1"));
        seen.push((await ledgerOf("open-tx")).reserved);
      },
    });
    const reserved = await reserveStock({ ...deps, store: hooked }, service, {
      orderId: "open-1",
      lines: [{ sku: "open-tx", quantity: 3 }],
    });
    expect(reserved.status).toBe("reserved");
    // The fast path, in its two statements (the hook keeps the commit out of the first one).
    expect([hooked.guessesGivenWay, hooked.guessesCommittedAtOnce]).toEqual([0, 0]);
    expect(seen).toEqual(["locked", [4, 0], undefined, 0]);
    expect((await getStock(deps, admin, "open-tx")).summary).toMatchObject({ onHand: 4, reserved: 3 });

    // Failing at that point (in process; the e2e test SIGKILLs there): the transaction rolls back whole.
    const failing = new MikroOrmInventoryStore(db.em, inventoryEventMapper, undefined, {
      beforeGuessedCommit: () => {
        throw new Error("crash before commit");
      },
    });
    await expect(
      reserveStock({ ...deps, store: failing }, service, { orderId: "open-2", lines: [{ sku: "open-tx", quantity: 1 }] }),
    ).rejects.toThrow();
    expect(await store.findReservation(parseTenantId("acme"), "open-2")).toBeUndefined();
    expect((await getStock(deps, admin, "open-tx")).summary).toMatchObject({ onHand: 4, reserved: 3 });
    expect(await ledgerOf("open-tx")).toEqual({ onHand: 4, reserved: 3 });
    // The redelivery reserves it once.
    expect((await reserveStock(deps, service, { orderId: "open-2", lines: [{ sku: "open-tx", quantity: 1 }] })).status).toBe(
      "reserved",
    );
    expect((await getStock(deps, admin, "open-tx")).summary).toMatchObject({ onHand: 4, reserved: 4 });
    expect(await ledgerOf("open-tx")).toEqual({ onHand: 4, reserved: 4 });
  });

  it("when a short hold passes on the real clock, then the sweeper gives the stock back", async () => {
    await setStock(deps, admin, { sku: "brief", locationId: "main", onHand: 5, reason: "received" });
    await reserveStock(deps, service, { orderId: "brief-1", lines: [{ sku: "brief", quantity: 5 }], holdMs: 300 });
    expect(await expireDueReservations(deps, { limit: 100, correlationId: "sweep" })).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await expireDueReservations(deps, { limit: 100, correlationId: "sweep" })).toBe(1);
    expect((await getStock(deps, admin, "brief")).summary).toMatchObject({ reserved: 0, available: 5 });
  });
});
