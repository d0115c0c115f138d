import { fromBinary } from "@bufbuild/protobuf";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import { randomId } from "../../../core/kit/ids.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { DEFAULT_INVENTORY_POLICY, type InventoryDeps } from "../../../core/inventory/inventory-deps.ts";
import type { InventoryStore } from "../../../core/inventory/inventory-store.ts";
import {
  cancelOrderReservation,
  commitReservation,
  expireDueReservations,
  getReservation,
  listReservations,
  releaseReservation,
  reserveStock,
} from "../../../core/inventory/reservations.ts";
import {
  adjustStock,
  getAvailability,
  getStock,
  listLowStock,
  listStockMovements,
  setRestockThreshold,
  setStock,
} from "../../../core/inventory/stock-admin.ts";
import {
  InventoryRejectedSchema,
  InventoryReleaseReason,
  InventoryReleasedSchema,
  StockLowSchema,
} from "../../../gen/shop/events/v1/inventory_events_pb.ts";
import { domainFailure } from "../../support/domain-failure.ts";

export interface InventoryStoreHarness {
  readonly store: InventoryStore;
  /** The integration events stored with the changes, oldest first. */
  recordedEvents(): Promise<IntegrationEvent[]>;
  dispose(): Promise<void>;
}

const ctxOf = (tenant: string, roles: string[] | undefined): RequestContext => ({
  tenantId: parseTenantId(tenant),
  caller: roles ? { userId: `admin-of-${tenant}`, roles } : undefined,
  correlationId: `corr-${tenant}`,
  signal: new AbortController().signal,
});
const admin = ctxOf("acme", ["tenant_admin"]);
const service = ctxOf("acme", undefined);
const otherAdmin = ctxOf("globex", ["tenant_admin"]);

/** The behaviour every InventoryStore adapter must show, exercised through the use cases. */
export function inventoryStoreContract(name: string, open: () => Promise<InventoryStoreHarness>): void {
  describe(`InventoryStore contract: ${name}`, () => {
    let harness: InventoryStoreHarness;
    let deps: InventoryDeps;
    let clock: ReturnType<typeof fixedClock>;
    const stock = (sku: string, onHand: number, locationId = "main") =>
      setStock(deps, admin, { sku, locationId, onHand, reason: "received" });

    beforeEach(async () => {
      harness = await open();
      clock = fixedClock(new Date("2026-11-01T10:00:00.000Z"));
      deps = { store: harness.store, clock, newId: randomId, policy: DEFAULT_INVENTORY_POLICY };
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it("when conditional updates meet stock that is gone, then the caller learns it and abandoning changes nothing", async () => {
      await stock("sku-a", 5);
      await stock("sku-b", 1);
      const now = clock.now();
      const abandon = new Error("abandon");
      const attempt = harness.store.transaction(service, async (tx) => {
        const after = await tx.reserveIfAvailable(
          [
            { sku: "sku-a", locationId: "main", quantity: 2 },
            { sku: "sku-b", locationId: "main", quantity: 3 },
          ],
          now,
        );
        expect(after).toBeUndefined();
        throw abandon;
      });
      await expect(attempt).rejects.toBe(abandon);
      expect((await getStock(deps, admin, "sku-a")).summary).toMatchObject({ onHand: 5, reserved: 0 });

      clock.advance(1_000);
      const later = clock.now();
      const after = await harness.store.transaction(service, (tx) =>
        tx.reserveIfAvailable([{ sku: "sku-a", locationId: "main", quantity: 2 }], later),
      );
      expect(after).toEqual([{ sku: "sku-a", locationId: "main", onHand: 5, reserved: 2 }]);
      const [level] = (await getStock(deps, admin, "sku-a")).levels;
      expect(level).toMatchObject({ onHand: 5, reserved: 2, version: 2 });
      expect(level?.updatedAt.getTime()).toBe(later.getTime());
      const missing = await harness.store.transaction(service, (tx) =>
        tx.reserveIfAvailable([{ sku: "sku-a", locationId: "nowhere", quantity: 1 }], later),
      );
      expect(missing).toBeUndefined();
    });

    it("when stock is set, then GetStock shows it per location and the ledger records the change", async () => {
      await stock("sku-a", 10, "main");
      await stock("sku-a", 5, "berlin-1");
      await stock("sku-a", 7, "main");
      const { summary, levels } = await getStock(deps, admin, "sku-a");
      expect(summary).toEqual({ sku: "sku-a", onHand: 12, reserved: 0, available: 12, restockThreshold: 0 });
      expect(levels.map((l) => [l.locationId, l.onHand, l.version])).toEqual([
        ["berlin-1", 5, 1],
        ["main", 7, 2],
      ]);
      const ledger = await listStockMovements(deps, admin, { sku: "sku-a", locationId: "main" });
      expect(ledger.items.map((m) => [m.kind, m.onHandDelta, m.onHandAfter])).toEqual([
        ["adjustment", -3, 7],
        ["adjustment", 10, 10],
      ]);
      expect((await domainFailure(getStock(deps, admin, "unknown"))).kind).toBe("not_found");
    });

    it("when every line fits, then all are reserved (split over locations) and a replay reserves nothing more", async () => {
      await stock("sku-a", 3, "a-loc");
      await stock("sku-a", 10, "b-loc");
      await stock("sku-b", 4);
      const input = {
        orderId: "order-1",
        lines: [
          { sku: "sku-b", quantity: 4 },
          { sku: "sku-a", quantity: 5 },
        ],
      };
      const first = await reserveStock(deps, service, input);
      expect(first.status).toBe("reserved");
      expect(first.lines).toEqual([
        { sku: "sku-a", locationId: "a-loc", quantity: 3 },
        { sku: "sku-a", locationId: "b-loc", quantity: 2 },
        { sku: "sku-b", locationId: "main", quantity: 4 },
      ]);
      expect(first.expiresAt.getTime() - clock.now().getTime()).toBe(DEFAULT_INVENTORY_POLICY.defaultHoldMs);
      const replay = await reserveStock(deps, service, input);
      expect(replay).toEqual(first);
      const [a] = await getAvailability(deps, service, ["sku-a"]);
      expect(a?.available).toBe(8);
      expect((await getStock(deps, admin, "sku-b")).summary).toMatchObject({ onHand: 4, reserved: 4, available: 0 });
    });

    it("when one line is short, then nothing is reserved and InventoryRejected names the short lines", async () => {
      await stock("sku-a", 10);
      await stock("sku-b", 1);
      const rejected = await reserveStock(deps, service, {
        orderId: "order-2",
        lines: [
          { sku: "sku-a", quantity: 2 },
          { sku: "sku-b", quantity: 2 },
          { sku: "nope", quantity: 1 },
        ],
      });
      expect(rejected.status).toBe("rejected");
      expect(rejected.shortLines).toEqual([
        { sku: "nope", requestedQuantity: 1, availableQuantity: 0 },
        { sku: "sku-b", requestedQuantity: 2, availableQuantity: 1 },
      ]);
      expect((await getStock(deps, admin, "sku-a")).summary.reserved).toBe(0);
      const event = (await harness.recordedEvents()).find((e) => e.type === InventoryRejectedSchema.typeName);
      expect(event?.key).toBe("order-2");
      expect(event?.tenantId).toBe("acme");
      expect(fromBinary(InventoryRejectedSchema, event!.payload).shortLines.map((l) => l.sku)).toEqual(["nope", "sku-b"]);
    });

    it("when a reservation is committed, then on hand and reserved both drop, once; release then fails", async () => {
      await stock("sku-a", 10);
      await reserveStock(deps, service, { orderId: "order-3", lines: [{ sku: "sku-a", quantity: 4 }] });
      const committed = await commitReservation(deps, service, "order-3");
      expect(committed.status).toBe("committed");
      expect(await commitReservation(deps, service, "order-3")).toEqual(committed);
      expect((await getStock(deps, admin, "sku-a")).summary).toMatchObject({ onHand: 6, reserved: 0, available: 6 });
      expect((await domainFailure(releaseReservation(deps, service, "order-3", "order_cancelled"))).code).toBe(
        "INVENTORY.RESERVATION_COMMITTED",
      );
      expect((await domainFailure(commitReservation(deps, service, "order-x"))).kind).toBe("not_found");
    });

    it("when a committed order is cancelled, then on hand comes back where it was committed, once, and the ledger sums match", async () => {
      await stock("sku-a", 3, "east");
      await stock("sku-a", 5, "west");
      await stock("sku-b", 2);
      await reserveStock(deps, service, {
        orderId: "order-r",
        lines: [
          { sku: "sku-a", quantity: 4 },
          { sku: "sku-b", quantity: 2 },
        ],
      });
      await reserveStock(deps, service, { orderId: "order-other", lines: [{ sku: "sku-a", quantity: 1 }] });
      await commitReservation(deps, service, "order-r");
      expect((await getStock(deps, admin, "sku-a")).summary).toMatchObject({ onHand: 4, reserved: 1 });
      clock.advance(1_000);

      const restocked = await cancelOrderReservation(deps, service, "order-r", "order_cancelled");
      expect(restocked).toMatchObject({ status: "restocked", releaseReason: "order_cancelled" });
      // Replays (a redelivered OrderCancelled) give nothing back again.
      expect(await cancelOrderReservation(deps, service, "order-r", "order_cancelled")).toEqual(restocked);
      expect(await releaseReservation(deps, service, "order-r", "order_cancelled")).toEqual(restocked);
      expect(await commitReservation(deps, service, "order-r")).toEqual(restocked);
      expect(await getReservation(deps, service, "order-r")).toEqual(restocked);
      expect((await listReservations(deps, admin, { status: "restocked" })).items.map((r) => r.orderId)).toEqual(["order-r"]);

      const a = await getStock(deps, admin, "sku-a");
      expect(a.levels.map((l) => [l.locationId, l.onHand, l.reserved])).toEqual([
        ["east", 3, 0],
        ["west", 5, 1],
      ]);
      expect((await getStock(deps, admin, "sku-b")).summary).toMatchObject({ onHand: 2, reserved: 0, available: 2 });
      for (const sku of ["sku-a", "sku-b"]) {
        const ledger = (await listStockMovements(deps, admin, { sku, pageSize: 200 })).items;
        const levels = (await getStock(deps, admin, sku)).levels;
        for (const level of levels) {
          const rows = ledger.filter((m) => m.locationId === level.locationId);
          expect(rows.reduce((sum, m) => sum + m.onHandDelta, 0)).toBe(level.onHand);
          expect(rows.reduce((sum, m) => sum + m.reservedDelta, 0)).toBe(level.reserved);
        }
        const restocks = ledger.filter((m) => m.kind === "restocked");
        expect(restocks.length).toBe(sku === "sku-a" ? 2 : 1);
        for (const m of restocks) {
          expect(m).toMatchObject({ orderId: "order-r", reservedDelta: 0, note: "order cancelled after commit" });
        }
      }
      const released = (await harness.recordedEvents()).filter((e) => e.type === InventoryReleasedSchema.typeName);
      expect(released).toHaveLength(1);
      const payload = fromBinary(InventoryReleasedSchema, released[0]!.payload);
      expect(payload.reason).toBe(InventoryReleaseReason.ORDER_CANCELLED);
      expect(payload.lines.map((l) => [l.sku, l.locationId, l.quantity])).toEqual([
        ["sku-a", "east", 3],
        ["sku-a", "west", 1],
        ["sku-b", "main", 2],
      ]);
      expect(released[0]!.key).toBe("order-r");
      // Cancelling an order inventory never saw changes nothing.
      expect((await domainFailure(cancelOrderReservation(deps, service, "order-none", "order_cancelled"))).kind).toBe(
        "not_found",
      );
    });

    it("when a reservation is released, then the stock comes back, once, with InventoryReleased", async () => {
      await stock("sku-a", 10);
      await reserveStock(deps, service, { orderId: "order-4", lines: [{ sku: "sku-a", quantity: 4 }] });
      const released = await releaseReservation(deps, service, "order-4", "payment_failed");
      expect(released).toMatchObject({ status: "released", releaseReason: "payment_failed" });
      expect(await releaseReservation(deps, service, "order-4", "order_cancelled")).toEqual(released);
      expect((await getStock(deps, admin, "sku-a")).summary).toMatchObject({ onHand: 10, reserved: 0 });
      expect((await domainFailure(commitReservation(deps, service, "order-4"))).code).toBe("INVENTORY.RESERVATION_NOT_HELD");
      const events = (await harness.recordedEvents()).filter((e) => e.type === InventoryReleasedSchema.typeName);
      expect(events).toHaveLength(1);
      expect(fromBinary(InventoryReleasedSchema, events[0]!.payload).reason).toBe(InventoryReleaseReason.PAYMENT_FAILED);
    });

    it("when a hold runs out, then the sweeper expires it and gives the stock back; a commit after that fails", async () => {
      await stock("sku-a", 10);
      await reserveStock(deps, service, { orderId: "order-5", lines: [{ sku: "sku-a", quantity: 3 }], holdMs: 60_000 });
      await reserveStock(deps, service, { orderId: "order-6", lines: [{ sku: "sku-a", quantity: 2 }], holdMs: 120_000 });
      clock.advance(59_999);
      expect(await expireDueReservations(deps, { limit: 10, correlationId: "sweep-1" })).toBe(0);
      clock.advance(1);
      expect(await expireDueReservations(deps, { limit: 10, correlationId: "sweep-2" })).toBe(1);
      expect((await getReservation(deps, service, "order-5")).status).toBe("expired");
      expect((await getStock(deps, admin, "sku-a")).summary.reserved).toBe(2);
      expect((await domainFailure(commitReservation(deps, service, "order-5"))).kind).toBe("failed_precondition");
      const released = (await harness.recordedEvents()).find((e) => e.type === InventoryReleasedSchema.typeName);
      expect(fromBinary(InventoryReleasedSchema, released!.payload).reason).toBe(InventoryReleaseReason.EXPIRED);
      const ledger = await listStockMovements(deps, admin, { sku: "sku-a" });
      expect(ledger.items[0]).toMatchObject({ kind: "expired", reservedDelta: -3, orderId: "order-5" });
    });

    it("when available falls to the threshold, then StockLow is published once, and the SKU is listed as low", async () => {
      await stock("sku-a", 10);
      await stock("sku-b", 100);
      await setRestockThreshold(deps, admin, "sku-a", 5);
      await setRestockThreshold(deps, admin, "sku-b", 5);
      await reserveStock(deps, service, { orderId: "o-1", lines: [{ sku: "sku-a", quantity: 4 }] });
      await reserveStock(deps, service, { orderId: "o-2", lines: [{ sku: "sku-a", quantity: 1 }] });
      await reserveStock(deps, service, { orderId: "o-3", lines: [{ sku: "sku-a", quantity: 1 }] });
      const lows = (await harness.recordedEvents()).filter((e) => e.type === StockLowSchema.typeName);
      expect(lows.map((e) => fromBinary(StockLowSchema, e.payload).availableQuantity)).toEqual([5]);
      const low = await listLowStock(deps, admin, {});
      expect(low.items).toEqual([{ sku: "sku-a", onHand: 10, reserved: 6, available: 4, restockThreshold: 5 }]);
    });

    it("when AdjustStock is retried with its key, then it changes nothing more; below reserved it is refused", async () => {
      await stock("sku-a", 10);
      const input = { sku: "sku-a", locationId: "main", delta: 5, reason: "received" as const, idempotencyKey: "adjust-key-1" };
      const first = await adjustStock(deps, admin, input);
      expect(await adjustStock(deps, admin, input)).toEqual(first);
      expect((await getStock(deps, admin, "sku-a")).summary.onHand).toBe(15);
      expect((await domainFailure(adjustStock(deps, admin, { ...input, delta: 6 }))).field).toBe("idempotency_key");
      await reserveStock(deps, service, { orderId: "o-7", lines: [{ sku: "sku-a", quantity: 12 }] });
      const refused = await domainFailure(adjustStock(deps, admin, { ...input, delta: -4, idempotencyKey: "adjust-key-2" }));
      expect(refused.code).toBe("INVENTORY.BELOW_RESERVED");
      expect((await getStock(deps, admin, "sku-a")).summary).toMatchObject({ onHand: 15, reserved: 12 });
    });

    it("when another tenant asks, then it sees none of this tenant's stock or reservations", async () => {
      await stock("sku-a", 10);
      await reserveStock(deps, service, { orderId: "order-8", lines: [{ sku: "sku-a", quantity: 1 }] });
      expect((await domainFailure(getStock(deps, otherAdmin, "sku-a"))).kind).toBe("not_found");
      expect((await domainFailure(getReservation(deps, otherAdmin, "order-8"))).kind).toBe("not_found");
      expect((await domainFailure(commitReservation(deps, otherAdmin, "order-8"))).kind).toBe("not_found");
      expect((await getAvailability(deps, otherAdmin, ["sku-a"]))[0]?.available).toBe(0);
      expect((await listReservations(deps, otherAdmin, {})).items).toEqual([]);
      const other = await reserveStock(deps, otherAdmin, { orderId: "order-8", lines: [{ sku: "sku-a", quantity: 1 }] });
      expect(other.status).toBe("rejected");
    });

    it("when reservations are listed, then newest first, filtered by status and SKU, in pages", async () => {
      await stock("sku-a", 10);
      await stock("sku-b", 10);
      for (const [i, sku] of ["sku-a", "sku-b", "sku-a"].entries()) {
        await reserveStock(deps, service, { orderId: `list-${i}`, lines: [{ sku, quantity: 1 }] });
      }
      await releaseReservation(deps, service, "list-2", "order_cancelled");
      const first = await listReservations(deps, admin, { sku: "sku-a", pageSize: 1 });
      expect(first.items.map((r) => r.orderId)).toEqual(["list-2"]);
      const second = await listReservations(deps, admin, { sku: "sku-a", pageSize: 1, pageToken: first.nextPageToken! });
      expect(second.items.map((r) => r.orderId)).toEqual(["list-0"]);
      expect((await listReservations(deps, admin, { status: "reserved" })).items.map((r) => r.orderId)).toEqual([
        "list-1",
        "list-0",
      ]);
    });
  });
}
