import { describe, expect, it } from "vitest";
import { createMemoryAvailabilityCache } from "../../../adapters/memory/inventory/memory-availability-cache.ts";
import { MemoryInventoryStore } from "../../../adapters/memory/inventory/memory-inventory-store.ts";
import { fixedClock } from "../../../core/kit/clock.ts";
import { randomId } from "../../../core/kit/ids.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { DEFAULT_INVENTORY_POLICY, type InventoryDeps } from "../../../core/inventory/inventory-deps.ts";
import type { InventoryEvent } from "../../../core/inventory/inventory-events.ts";
import { decideCancellation, decideCommit, decideRelease, type Reservation } from "../../../core/inventory/reservation.ts";
import { cancelOrderReservation, commitReservation, RESTOCK_NOTE, reserveStock } from "../../../core/inventory/reservations.ts";
import { getAvailability, getStock, listStockMovements, setStock } from "../../../core/inventory/stock-admin.ts";
import { domainFailure } from "../../support/domain-failure.ts";

const at = new Date("2026-11-01T10:00:00.000Z");
function reservation(overrides: Partial<Reservation> = {}): Reservation {
  return {
    id: "r-1",
    orderId: "o-1",
    status: "committed",
    lines: [{ sku: "a", locationId: "main", quantity: 2 }],
    shortLines: [],
    createdAt: at,
    expiresAt: new Date(at.getTime() + 60_000),
    updatedAt: at,
    releaseReason: undefined,
    ...overrides,
  };
}

describe("decideCancellation (controllable clock)", () => {
  it("when the reservation is committed, then it becomes restocked with the reason, at now", () => {
    const clock = fixedClock(at);
    clock.advance(5_000);
    expect(decideCancellation(reservation(), "order_cancelled", clock.now())).toMatchObject({
      status: "restocked",
      releaseReason: "order_cancelled",
      updatedAt: new Date(at.getTime() + 5_000),
      lines: [{ sku: "a", locationId: "main", quantity: 2 }],
    });
  });

  it("when the reservation is held, then it is released like ReleaseReservation", () => {
    expect(decideCancellation(reservation({ status: "reserved" }), "payment_failed", at)).toMatchObject({
      status: "released",
      releaseReason: "payment_failed",
    });
  });

  it("when released, expired, rejected or already restocked, then nothing changes", () => {
    for (const status of ["released", "expired", "rejected", "restocked"] as const) {
      expect(decideCancellation(reservation({ status }), "order_cancelled", at)).toBe("unchanged");
    }
  });

  it("when restocked, then a late commit replay changes nothing and a release is a no-op", () => {
    const restocked = reservation({ status: "restocked" });
    expect(decideCommit(restocked, at)).toBe("unchanged");
    expect(decideRelease(restocked, "order_cancelled", at)).toBe("unchanged");
  });
});

describe("cancelOrderReservation on the memory store", () => {
  const service: RequestContext = {
    tenantId: parseTenantId("acme"),
    caller: undefined,
    correlationId: "corr-1",
    signal: new AbortController().signal,
  };
  const admin: RequestContext = { ...service, caller: { userId: "admin-1", roles: ["tenant_admin"] } };

  function setup() {
    const events: InventoryEvent[] = [];
    const store = new MemoryInventoryStore((event, ctx) => {
      events.push(event);
      return {
        id: randomId(),
        type: event.type,
        schemaVersion: 1,
        topic: "inventory-events",
        key: "k",
        tenantId: ctx.tenantId,
        correlationId: ctx.correlationId,
        occurredAt: at,
        payload: new Uint8Array(),
      };
    });
    const clock = fixedClock(at);
    const availabilityCache = createMemoryAvailabilityCache({ ttlMs: 60_000, clock });
    const deps: InventoryDeps = { store, clock, newId: randomId, policy: DEFAULT_INVENTORY_POLICY, availabilityCache };
    return { deps, events, clock };
  }

  it("when a committed order is cancelled, then on hand comes back per location, once, with one ledger row per line", async () => {
    const { deps, events, clock } = setup();
    await setStock(deps, admin, { sku: "a", locationId: "east", onHand: 2, reason: "received" });
    await setStock(deps, admin, { sku: "a", locationId: "west", onHand: 5, reason: "received" });
    await setStock(deps, admin, { sku: "b", locationId: "east", onHand: 1, reason: "received" });
    const reserved = await reserveStock(deps, service, {
      orderId: "o-1",
      lines: [
        { sku: "a", quantity: 4 },
        { sku: "b", quantity: 1 },
      ],
    });
    expect(reserved.lines).toEqual([
      { sku: "a", locationId: "east", quantity: 2 },
      { sku: "a", locationId: "west", quantity: 2 },
      { sku: "b", locationId: "east", quantity: 1 },
    ]);
    await commitReservation(deps, service, "o-1");
    // Warm the cache on the sold-out state: the restock must invalidate it.
    expect((await getAvailability(deps, service, ["a", "b"])).map((x) => x.available)).toEqual([3, 0]);
    clock.advance(1_000);
    events.length = 0;

    const restocked = await cancelOrderReservation(deps, service, "o-1", "order_cancelled");
    expect(restocked).toMatchObject({ status: "restocked", releaseReason: "order_cancelled", updatedAt: clock.now() });
    expect((await getStock(deps, admin, "a")).levels.map((l) => [l.locationId, l.onHand, l.reserved])).toEqual([
      ["east", 2, 0],
      ["west", 5, 0],
    ]);
    expect((await getStock(deps, admin, "b")).summary).toMatchObject({ onHand: 1, reserved: 0, available: 1 });
    expect((await getAvailability(deps, service, ["a", "b"])).map((x) => x.available)).toEqual([7, 1]);
    expect(events.map((e) => e.type)).toEqual(["InventoryReleased", "StockAvailabilityChanged"]);

    const ledgerA = await listStockMovements(deps, admin, { sku: "a" });
    const restocks = ledgerA.items.filter((m) => m.kind === "restocked");
    expect(restocks.map((m) => [m.locationId, m.onHandDelta, m.reservedDelta, m.onHandAfter, m.note, m.orderId])).toEqual([
      ["west", 2, 0, 5, RESTOCK_NOTE, "o-1"],
      ["east", 2, 0, 2, RESTOCK_NOTE, "o-1"],
    ]);

    // A replayed OrderCancelled gives nothing back a second time.
    clock.advance(1_000);
    events.length = 0;
    expect(await cancelOrderReservation(deps, service, "o-1", "order_cancelled")).toEqual(restocked);
    expect((await getStock(deps, admin, "a")).summary).toMatchObject({ onHand: 7, reserved: 0 });
    expect(events).toEqual([]);
    expect((await listStockMovements(deps, admin, { sku: "a" })).items).toHaveLength(ledgerA.items.length);
  });

  it("when a held order is cancelled, then it is released, and a second cancel changes nothing", async () => {
    const { deps, events } = setup();
    await setStock(deps, admin, { sku: "a", locationId: "main", onHand: 3, reason: "received" });
    await reserveStock(deps, service, { orderId: "o-2", lines: [{ sku: "a", quantity: 3 }] });
    expect(await cancelOrderReservation(deps, service, "o-2", "order_cancelled")).toMatchObject({ status: "released" });
    events.length = 0;
    expect(await cancelOrderReservation(deps, service, "o-2", "order_cancelled")).toMatchObject({ status: "released" });
    expect(events).toEqual([]);
    expect((await getStock(deps, admin, "a")).summary).toMatchObject({ onHand: 3, reserved: 0 });
  });

  it("when the order never reached inventory, then NOT_FOUND and nothing changes", async () => {
    const { deps, events } = setup();
    expect((await domainFailure(cancelOrderReservation(deps, service, "o-none", "order_cancelled"))).kind).toBe("not_found");
    expect(events).toEqual([]);
  });
});
