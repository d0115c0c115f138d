import { DeadlockException } from "@mikro-orm/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../../core/kit/clock.ts";
import { randomId } from "../../../core/kit/ids.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { DEFAULT_INVENTORY_POLICY, type InventoryDeps } from "../../../core/inventory/inventory-deps.ts";
import type { GuessedReservation, StockAfterReserve } from "../../../core/inventory/inventory-store.ts";
import type { Reservation } from "../../../core/inventory/reservation.ts";
import { reserveStock } from "../../../core/inventory/reservations.ts";
import { getStock, setRestockThreshold, setStock } from "../../../core/inventory/stock-admin.ts";
import { inventoryEntities, StockMovementRecord } from "../../../adapters/mikro-orm/inventory/inventory-records.ts";
import {
  type InventoryStoreTestHooks,
  MikroOrmInventoryStore,
} from "../../../adapters/mikro-orm/inventory/mikro-orm-inventory-store.ts";
import { inventoryEventMapper } from "../../../services/inventory/inventory-event-mapper.ts";
import { domainFailure } from "../../support/domain-failure.ts";
import { openSqlTestDatabase, type SqlTestDatabase } from "../../support/sql-test-database.ts";

// Group commit on MariaDB: reservations handed to the store in the same turn of the event loop
// share one batch (one transaction); each member must still be all or nothing on its own.

const tenant = parseTenantId("acme");
const ctx = (roles?: string[]): RequestContext => ({
  tenantId: tenant,
  caller: roles ? { userId: "admin-1", roles } : undefined,
  correlationId: "batches",
  signal: new AbortController().signal,
});
const admin = ctx(["tenant_admin"]);
const service = ctx();

let db: SqlTestDatabase;
let store: MikroOrmInventoryStore;
let deps: InventoryDeps;

beforeAll(async () => {
  db = await openSqlTestDatabase("mariadb", "inventory_batches", inventoryEntities);
  store = new MikroOrmInventoryStore(db.em, inventoryEventMapper);
  deps = { store, clock: systemClock, newId: randomId, policy: DEFAULT_INVENTORY_POLICY };
});
afterAll(async () => {
  await db?.dispose();
});

const depsWith = (hooks: InventoryStoreTestHooks) => {
  const hooked = new MikroOrmInventoryStore(db.em, inventoryEventMapper, undefined, hooks);
  return { hooked, hookedDeps: { ...deps, store: hooked } };
};
const stock = (sku: string, onHand: number) => setStock(deps, admin, { sku, locationId: "main", onHand, reason: "received" });
const line = (sku: string, quantity: number) => ({ sku, quantity });
const counters = (s: MikroOrmInventoryStore) => ({
  batches: s.guessBatches,
  members: s.guessBatchMembers,
  gaveWay: s.guessesGivenWay,
  atOnce: s.guessesCommittedAtOnce,
  retries: s.retries,
});
const since = (s: MikroOrmInventoryStore, before: ReturnType<typeof counters>) => {
  const now = counters(s);
  return {
    batches: now.batches - before.batches,
    members: now.members - before.members,
    gaveWay: now.gaveWay - before.gaveWay,
    atOnce: now.atOnce - before.atOnce,
    retries: now.retries - before.retries,
  };
};

/** Every ledger row of these SKUs, and whether each stock row equals the sum of its ledger. */
async function ledgerMatches(skus: string[]): Promise<boolean> {
  for (const sku of skus) {
    const rows = await db.em.fork().find(StockMovementRecord, { tenantId: "acme", sku });
    const { summary } = await getStock(deps, admin, sku);
    const onHand = rows.reduce((sum, row) => sum + row.onHandDelta, 0);
    const reserved = rows.reduce((sum, row) => sum + row.reservedDelta, 0);
    if (onHand !== summary.onHand || reserved !== summary.reserved) return false;
  }
  return true;
}

/** Outbox events keyed by these order ids or SKUs, stored after sequence `after`: [type, key], in commit order. */
async function outboxFor(keys: string[], after = 0): Promise<[string, string][]> {
  const rows: { event_type: string; event_key: string }[] = await db.em
    .getConnection()
    .execute(
      `select event_type, event_key from outbox_events where sequence > ? and event_key in (${keys.map(() => "?").join(", ")}) order by sequence`,
      [after, ...keys],
    );
  return rows.map((row) => [row.event_type.replace("shop.events.v1.", ""), row.event_key]);
}

async function lastOutboxSequence(): Promise<number> {
  const [{ last }] = (await db.em.getConnection().execute("select coalesce(max(sequence), 0) as last from outbox_events")) as [
    { last: number },
  ];
  return Number(last);
}

const summaryOf = async (sku: string) => {
  const { onHand, reserved } = (await getStock(deps, admin, sku)).summary;
  return [onHand, reserved];
};

describe("group commit of guessed reservations on real MariaDB", () => {
  it("when members of one batch fit, run short or collide on a row, then each gets its own exact outcome", async () => {
    await stock("mix-a", 5);
    await stock("mix-b", 2);
    await stock("mix-c", 10);
    const before = counters(store);
    const lastEvent = await lastOutboxSequence();
    // All six guess on the same snapshot (every line fits it), so all six join one batch, in this order.
    const [a, b, c, d, e, f] = await Promise.all([
      reserveStock(deps, service, { orderId: "mix-1", lines: [line("mix-a", 3)] }),
      reserveStock(deps, service, { orderId: "mix-2", lines: [line("mix-b", 1)] }),
      // Its first line fits, its second no longer does after mix-2: nothing of it may stay.
      reserveStock(deps, service, { orderId: "mix-3", lines: [line("mix-c", 4), line("mix-b", 2)] }),
      // Short after mix-1.
      reserveStock(deps, service, { orderId: "mix-4", lines: [line("mix-a", 3)] }),
      // Fits after mix-1 because mix-4 left nothing.
      reserveStock(deps, service, { orderId: "mix-5", lines: [line("mix-a", 2)] }),
      // Fits because mix-3 was rolled back.
      reserveStock(deps, service, { orderId: "mix-6", lines: [line("mix-c", 6)] }),
    ]);
    // mix-3 no longer fits on the snapshot after mix-2: the batch is decided on the locked rows, member by member.
    expect(since(store, before)).toEqual({ batches: 1, members: 6, gaveWay: 2, atOnce: 0, retries: 0 });
    expect([a, b, c, d, e, f].map((r) => r?.status)).toEqual([
      "reserved",
      "reserved",
      "rejected",
      "rejected",
      "reserved",
      "reserved",
    ]);
    expect(c?.shortLines).toEqual([{ sku: "mix-b", requestedQuantity: 2, availableQuantity: 1 }]);
    expect(d?.shortLines).toEqual([{ sku: "mix-a", requestedQuantity: 3, availableQuantity: 0 }]);
    expect(await summaryOf("mix-a")).toEqual([5, 5]);
    expect(await summaryOf("mix-b")).toEqual([2, 1]);
    expect(await summaryOf("mix-c")).toEqual([10, 6]);
    expect(await ledgerMatches(["mix-a", "mix-b", "mix-c"])).toBe(true);
    const ledger = await db.em
      .fork()
      .find(StockMovementRecord, { tenantId: "acme", sku: { $in: ["mix-a", "mix-b", "mix-c"] }, kind: "reserved" });
    expect(ledger.map((m) => [m.orderId, m.sku, m.reservedDelta, m.reservedAfter]).sort()).toEqual([
      ["mix-1", "mix-a", 3, 3],
      ["mix-2", "mix-b", 1, 1],
      ["mix-5", "mix-a", 2, 5],
      ["mix-6", "mix-c", 6, 6],
    ]);
    const events = await outboxFor(["mix-1", "mix-2", "mix-3", "mix-4", "mix-5", "mix-6", "mix-a", "mix-b", "mix-c"], lastEvent);
    expect(events.filter(([type]) => type.startsWith("Inventory")).sort()).toEqual([
      ["InventoryRejected", "mix-3"],
      ["InventoryRejected", "mix-4"],
      ["InventoryReserved", "mix-1"],
      ["InventoryReserved", "mix-2"],
      ["InventoryReserved", "mix-5"],
      ["InventoryReserved", "mix-6"],
    ]);
    // mix-5 took mix-a from 2 to 0 available: its stock event comes from the rows as they were, not its snapshot.
    expect(events.filter(([type]) => !type.startsWith("Inventory"))).toEqual([["StockAvailabilityChanged", "mix-a"]]);
  });

  it("when every member fits on the snapshot they share, then one statement writes the whole batch, rows shared by members included", async () => {
    await stock("one-a", 10);
    await stock("one-b", 10);
    await stock("one-c", 3);
    await setRestockThreshold(deps, admin, "one-a", 5);
    const before = counters(store);
    const lastEvent = await lastOutboxSequence();
    const reserved = await Promise.all([
      reserveStock(deps, service, { orderId: "one-1", lines: [line("one-a", 3), line("one-b", 1)] }),
      reserveStock(deps, service, { orderId: "one-2", lines: [line("one-a", 3)] }),
      reserveStock(deps, service, { orderId: "one-3", lines: [line("one-c", 3)] }),
      reserveStock(deps, service, { orderId: "one-4", lines: [line("one-b", 2), line("one-a", 1)] }),
    ]);
    expect(reserved.map((r) => r.status)).toEqual(["reserved", "reserved", "reserved", "reserved"]);
    expect(since(store, before)).toEqual({ batches: 1, members: 4, gaveWay: 0, atOnce: 4, retries: 0 });
    expect(await summaryOf("one-a")).toEqual([10, 7]);
    expect(await summaryOf("one-b")).toEqual([10, 3]);
    expect(await summaryOf("one-c")).toEqual([3, 3]);
    expect((await getStock(deps, admin, "one-a")).levels[0]?.version).toBe(1 + 3);
    expect(await ledgerMatches(["one-a", "one-b", "one-c"])).toBe(true);
    const ledger = await db.em
      .fork()
      .find(StockMovementRecord, { tenantId: "acme", kind: "reserved", sku: { $in: ["one-a", "one-b", "one-c"] } });
    expect(ledger.map((m) => [m.orderId, m.sku, m.reservedDelta, m.reservedAfter]).sort()).toEqual([
      ["one-1", "one-a", 3, 3],
      ["one-1", "one-b", 1, 1],
      ["one-2", "one-a", 3, 6],
      ["one-3", "one-c", 3, 3],
      ["one-4", "one-a", 1, 7],
      ["one-4", "one-b", 2, 3],
    ]);
    // StockLow from the member that crossed the threshold (one-2: 7 -> 4 available), once; one-c ran out.
    const events = await outboxFor(["one-1", "one-2", "one-3", "one-4", "one-a", "one-b", "one-c"], lastEvent);
    expect(events.filter(([type]) => !type.startsWith("Inventory"))).toEqual([
      ["StockLow", "one-a"],
      ["StockAvailabilityChanged", "one-c"],
    ]);
    expect(events.filter(([type]) => type === "InventoryReserved")).toHaveLength(4);
  });

  it("when two tenants reserve the same order id on the same SKU name in one batch, then each reserves its own stock", async () => {
    const otherAdmin: RequestContext = { ...admin, tenantId: parseTenantId("globex") };
    const otherService: RequestContext = { ...service, tenantId: parseTenantId("globex") };
    await stock("shared-name", 5);
    await setStock(deps, otherAdmin, { sku: "shared-name", locationId: "main", onHand: 2, reason: "received" });
    const before = counters(store);
    const [ours, theirs] = await Promise.all([
      reserveStock(deps, service, { orderId: "same-order", lines: [line("shared-name", 4)] }),
      reserveStock(deps, otherService, { orderId: "same-order", lines: [line("shared-name", 2)] }),
    ]);
    expect(since(store, before)).toEqual({ batches: 1, members: 2, gaveWay: 0, atOnce: 2, retries: 0 });
    expect([ours.status, theirs.status]).toEqual(["reserved", "reserved"]);
    expect(ours.id).not.toBe(theirs.id);
    expect(await summaryOf("shared-name")).toEqual([5, 4]);
    expect((await getStock(deps, otherAdmin, "shared-name")).summary).toMatchObject({ onHand: 2, reserved: 2 });
    expect((await store.findReservation(parseTenantId("globex"), "same-order"))?.id).toBe(theirs.id);
  });

  it("when one order comes twice in one batch, then it is reserved once and both callers get that reservation", async () => {
    await stock("twice", 10);
    const before = counters(store);
    const [first, second, other] = await Promise.all([
      reserveStock(deps, service, { orderId: "twice-1", lines: [line("twice", 2)] }),
      reserveStock(deps, service, { orderId: "twice-1", lines: [line("twice", 3)] }),
      reserveStock(deps, service, { orderId: "twice-2", lines: [line("twice", 1)] }),
    ]);
    expect(since(store, before)).toMatchObject({ batches: 1, members: 3, gaveWay: 1 });
    expect(second).toEqual(first);
    expect(first?.lines).toEqual([{ sku: "twice", locationId: "main", quantity: 2 }]);
    expect(other?.status).toBe("reserved");
    expect(await summaryOf("twice")).toEqual([10, 3]);
    expect(await ledgerMatches(["twice"])).toBe(true);
    expect(await outboxFor(["twice-1", "twice-2"])).toEqual([
      ["InventoryReserved", "twice-1"],
      ["InventoryReserved", "twice-2"],
    ]);
    // A later replay (its own batch) answers the same reservation.
    expect(await reserveStock(deps, service, { orderId: "twice-1", lines: [line("twice", 2)] })).toEqual(first);
    expect(await summaryOf("twice")).toEqual([10, 3]);
  });

  it("when a member of a batch has a bad line, then it alone fails and the others commit", async () => {
    await stock("bad-a", 10);
    const before = counters(store);
    const outcomes = await Promise.allSettled([
      reserveStock(deps, service, { orderId: "bad-1", lines: [line("bad-a", 1)] }),
      reserveStock(deps, service, { orderId: "bad-2", lines: [line("bad-a", 0)] }),
      reserveStock(deps, service, { orderId: "bad-3", lines: [line("bad-a", 2)] }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const failure = await domainFailure(Promise.reject((outcomes[1] as PromiseRejectedResult).reason));
    expect([failure.kind, failure.field]).toEqual(["invalid", "lines[0].quantity"]);
    expect(since(store, before)).toMatchObject({ batches: 1, members: 2 });
    expect(await summaryOf("bad-a")).toEqual([10, 3]);
    expect(await store.findReservation(tenant, "bad-2")).toBeUndefined();
  });

  it("when a guess in a batch names a row that is not there, or cannot build its ledger, then it alone fails and nothing of it stays", async () => {
    await stock("raw-a", 10);
    const now = new Date();
    const guess = (orderId: string, lines: { locationId: string; quantity: number }[], predictedReserved: number[]) => {
      const reservation: Reservation = {
        id: randomId(),
        orderId,
        status: "reserved",
        lines: lines.map((l) => ({ sku: "raw-a", ...l })),
        shortLines: [],
        createdAt: now,
        updatedAt: now,
        expiresAt: new Date(now.getTime() + 60_000),
        releaseReason: undefined,
      };
      const predicted = reservation.lines.map((l, i) => ({
        sku: l.sku,
        locationId: l.locationId,
        onHand: 10,
        reserved: predictedReserved[i] ?? 0,
      }));
      const complete = (after: readonly StockAfterReserve[]) => ({
        movements: reservation.lines.map((l, i) => ({
          id: randomId(),
          sku: l.sku,
          locationId: l.locationId,
          kind: "reserved" as const,
          adjustmentReason: undefined,
          onHandDelta: 0,
          reservedDelta: l.quantity,
          onHandAfter: after[i]?.onHand ?? 0,
          reservedAfter: after[i]?.reserved ?? 0,
          orderId,
          actorUserId: undefined,
          note: undefined,
          occurredAt: now,
        })),
        events: [{ type: "InventoryReserved" as const, reservation }],
      });
      return { reservation, predicted, complete } satisfies GuessedReservation;
    };
    const ledgerFails = new Error("ledger cannot be built on these rows");
    const failingOnActualRows: GuessedReservation = {
      // Predicted wrong on purpose: the batch then asks for its ledger on the rows as they are, after its updates ran.
      ...guess("raw-3", [{ locationId: "main", quantity: 4 }], [99]),
      complete: (after) => {
        if ((after[0]?.reserved ?? 0) < 99) throw ledgerFails;
        return { movements: [], events: [] };
      },
    };
    const before = counters(store);
    const outcomes = await Promise.allSettled([
      store.reserveOnGuess(service, guess("raw-1", [{ locationId: "main", quantity: 1 }], [1])),
      store.reserveOnGuess(service, guess("raw-2", [{ locationId: "nowhere", quantity: 1 }], [1])),
      store.reserveOnGuess(service, failingOnActualRows),
      store.reserveOnGuess(service, guess("raw-4", [{ locationId: "main", quantity: 2 }], [2])),
    ]);
    expect(outcomes).toEqual([
      { status: "fulfilled", value: true },
      { status: "fulfilled", value: false },
      { status: "rejected", reason: ledgerFails },
      { status: "fulfilled", value: true },
    ]);
    // One batch, run a second time without the member that failed.
    expect(since(store, before)).toMatchObject({ batches: 1, members: 4, gaveWay: 1 });
    expect(await summaryOf("raw-a")).toEqual([10, 3]);
    for (const orderId of ["raw-2", "raw-3"]) expect(await store.findReservation(tenant, orderId)).toBeUndefined();
    expect((await store.findReservation(tenant, "raw-4"))?.lines).toEqual([{ sku: "raw-a", locationId: "main", quantity: 2 }]);
    expect(await outboxFor(["raw-1", "raw-2", "raw-3", "raw-4"])).toEqual([
      ["InventoryReserved", "raw-1"],
      ["InventoryReserved", "raw-4"],
    ]);
  });

  it("when a batch meets a deadlock, then it runs again whole and every member is reserved exactly once", async () => {
    await stock("dead-a", 20);
    await stock("dead-b", 20);
    let calls = 0;
    const { hooked, hookedDeps } = depsWith({
      beforeGuessedCommit: () => {
        // The first attempt dies as MariaDB kills a deadlock victim: the transaction is rolled back whole.
        if (++calls === 1) throw new DeadlockException(Object.assign(new Error("Deadlock found"), { errno: 1213 }));
      },
    });
    const orders = ["dead-1", "dead-2", "dead-3", "dead-4"];
    const reserved = await Promise.all(
      orders.map((orderId, i) =>
        reserveStock(hookedDeps, service, { orderId, lines: [line("dead-a", i + 1), line("dead-b", 1)] }),
      ),
    );
    expect(reserved.map((r) => r.status)).toEqual(["reserved", "reserved", "reserved", "reserved"]);
    expect(counters(hooked)).toEqual({
      batches: 1,
      members: 4,
      gaveWay: 0,
      atOnce: 0,
      retries: 1,
    });
    expect(calls).toBe(2);
    expect(await summaryOf("dead-a")).toEqual([20, 10]);
    expect(await summaryOf("dead-b")).toEqual([20, 4]);
    expect(await ledgerMatches(["dead-a", "dead-b"])).toBe(true);
    expect((await outboxFor(orders)).sort()).toEqual(orders.map((o) => ["InventoryReserved", o]));
  });

  it("when a batch deadlocks on every attempt, then its members give way to the locked path and are reserved once each", async () => {
    await stock("stuck", 20);
    const { hooked, hookedDeps } = depsWith({
      beforeGuessedCommit: () => {
        throw new DeadlockException(Object.assign(new Error("Deadlock found"), { errno: 1213 }));
      },
    });
    const orders = ["stuck-1", "stuck-2", "stuck-3"];
    const reserved = await Promise.all(
      orders.map((orderId) => reserveStock(hookedDeps, service, { orderId, lines: [line("stuck", 2)] })),
    );
    expect(reserved.map((r) => r.status)).toEqual(["reserved", "reserved", "reserved"]);
    // Three attempts of the batch (two retries), then the locked path, which has no hook.
    expect([hooked.guessBatches, hooked.retries, hooked.guessesGivenWay]).toEqual([1, 2, 3]);
    expect(await summaryOf("stuck")).toEqual([20, 6]);
    expect(await ledgerMatches(["stuck"])).toBe(true);
    expect((await outboxFor(orders)).sort()).toEqual(orders.map((o) => ["InventoryReserved", o]));
  });

  it("when the whole batch fails (the connection is lost before COMMIT), then every member fails with that error and nothing stays", async () => {
    await stock("lost", 10);
    const lost = new Error("connection lost");
    const { hookedDeps } = depsWith({
      beforeGuessedCommit: () => {
        throw lost;
      },
    });
    const orders = ["lost-1", "lost-2", "lost-3"];
    const outcomes = await Promise.allSettled(
      orders.map((orderId) => reserveStock(hookedDeps, service, { orderId, lines: [line("lost", 1)] })),
    );
    expect(outcomes).toEqual(orders.map(() => ({ status: "rejected", reason: lost })));
    for (const orderId of orders) expect(await store.findReservation(tenant, orderId)).toBeUndefined();
    expect(await summaryOf("lost")).toEqual([10, 0]);
    expect(await outboxFor(orders)).toEqual([]);
    // The redeliveries reserve each once.
    await Promise.all(orders.map((orderId) => reserveStock(deps, service, { orderId, lines: [line("lost", 1)] })));
    expect(await summaryOf("lost")).toEqual([10, 3]);
    expect(await ledgerMatches(["lost"])).toBe(true);
  });
});
