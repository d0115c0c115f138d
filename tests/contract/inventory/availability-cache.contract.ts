import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import { randomId } from "../../../core/kit/ids.ts";
import { parseTenantId, type RequestContext, type TenantId } from "../../../core/kit/request-context.ts";
import type { AvailabilityCache } from "../../../core/inventory/availability-cache.ts";
import { DEFAULT_INVENTORY_POLICY, type InventoryDeps } from "../../../core/inventory/inventory-deps.ts";
import {
  cancelOrderReservation,
  commitReservation,
  releaseReservation,
  reserveStock,
} from "../../../core/inventory/reservations.ts";
import { getAvailability, setStock } from "../../../core/inventory/stock-admin.ts";
import { MemoryInventoryStore } from "../../../adapters/memory/inventory/memory-inventory-store.ts";
import { inventoryEventMapper } from "../../../services/inventory/inventory-event-mapper.ts";

export interface AvailabilityCacheHarness {
  /** A cache whose entries live as short as the adapter allows. */
  readonly cache: AvailabilityCache;
  /** Lets the entries' time to live pass. */
  ttlPassed(): Promise<void>;
  /** A cache of the same kind whose server cannot be reached, when the adapter has a server. */
  unreachable?(): Promise<AvailabilityCache>;
  dispose(): Promise<void>;
}

/** Tenant ids no other run shares (Redis keys outlive a test). */
function freshTenant(name: string): TenantId {
  return parseTenantId(`${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
}

const ctxOf = (tenantId: TenantId, roles?: string[]): RequestContext => ({
  tenantId,
  caller: roles ? { userId: "admin-1", roles } : undefined,
  correlationId: "availability-cache",
  signal: new AbortController().signal,
});

/** The behaviour every AvailabilityCache adapter must show, alone and under the use cases. */
export function availabilityCacheContract(name: string, open: () => Promise<AvailabilityCacheHarness>): void {
  describe(`AvailabilityCache contract: ${name}`, () => {
    let harness: AvailabilityCacheHarness;
    let acme: TenantId;
    let globex: TenantId;

    beforeEach(async () => {
      harness = await open();
      acme = freshTenant("acme");
      globex = freshTenant("globex");
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it("when entries are put, then a batch read returns them and misses the rest", async () => {
      await harness.cache.putMany(acme, [
        { sku: "sku-a", available: 7, restockThreshold: 2 },
        { sku: "sku b/ü", available: 0, restockThreshold: 0 },
      ]);
      const found = await harness.cache.getMany(acme, ["sku-a", "sku b/ü", "sku-c"]);
      expect([...found.entries()]).toEqual([
        ["sku-a", { sku: "sku-a", available: 7, restockThreshold: 2 }],
        ["sku b/ü", { sku: "sku b/ü", available: 0, restockThreshold: 0 }],
      ]);
      expect((await harness.cache.getMany(acme, [])).size).toBe(0);
    });

    it("when another tenant reads the same SKU, then it misses", async () => {
      await harness.cache.putMany(acme, [{ sku: "shared", available: 5, restockThreshold: 0 }]);
      expect((await harness.cache.getMany(globex, ["shared"])).size).toBe(0);
      await harness.cache.invalidate(globex, ["shared"]);
      expect((await harness.cache.getMany(acme, ["shared"])).get("shared")?.available).toBe(5);
    });

    it("when entries are invalidated or their time passes, then they are gone", async () => {
      await harness.cache.putMany(acme, [
        { sku: "a", available: 1, restockThreshold: 0 },
        { sku: "b", available: 2, restockThreshold: 0 },
      ]);
      await harness.cache.invalidate(acme, ["a"]);
      expect([...(await harness.cache.getMany(acme, ["a", "b"])).keys()]).toEqual(["b"]);
      await harness.cache.invalidate(acme, []);
      await harness.ttlPassed();
      expect((await harness.cache.getMany(acme, ["b"])).size).toBe(0);
    });

    it("when BatchGetAvailability is served, then reads warm the cache and every committed change invalidates it", async () => {
      const clock = fixedClock(new Date("2026-11-01T10:00:00.000Z"));
      const deps: InventoryDeps = {
        store: new MemoryInventoryStore(inventoryEventMapper),
        clock,
        newId: randomId,
        policy: DEFAULT_INVENTORY_POLICY,
        availabilityCache: harness.cache,
      };
      const admin = ctxOf(acme, ["tenant_admin"]);
      await setStock(deps, admin, { sku: "sku-a", locationId: "main", onHand: 10, reason: "received" });
      expect((await getAvailability(deps, ctxOf(acme), ["sku-a", "sku-z"])).map((s) => s.available)).toEqual([10, 0]);
      expect((await harness.cache.getMany(acme, ["sku-a", "sku-z"])).get("sku-a")?.available).toBe(10);

      await reserveStock(deps, ctxOf(acme), { orderId: "o-1", lines: [{ sku: "sku-a", quantity: 4 }] });
      expect((await harness.cache.getMany(acme, ["sku-a"])).has("sku-a")).toBe(false);
      expect((await getAvailability(deps, ctxOf(acme), ["sku-a"]))[0]?.available).toBe(6);

      await releaseReservation(deps, ctxOf(acme), "o-1", "order_cancelled");
      expect((await getAvailability(deps, ctxOf(acme), ["sku-a"]))[0]?.available).toBe(10);
      await setStock(deps, admin, { sku: "sku-a", locationId: "main", onHand: 3, reason: "count_correction" });
      expect((await getAvailability(deps, ctxOf(acme), ["sku-a"]))[0]?.available).toBe(3);
      // A sale cancelled after its commit puts the stock back: the cached sold-out value goes.
      await reserveStock(deps, ctxOf(acme), { orderId: "o-2", lines: [{ sku: "sku-a", quantity: 3 }] });
      await commitReservation(deps, ctxOf(acme), "o-2");
      expect((await getAvailability(deps, ctxOf(acme), ["sku-a"]))[0]?.available).toBe(0);
      await cancelOrderReservation(deps, ctxOf(acme), "o-2", "order_cancelled");
      expect((await getAvailability(deps, ctxOf(acme), ["sku-a"]))[0]?.available).toBe(3);
      // Another tenant's read never sees acme's entry.
      expect((await getAvailability(deps, ctxOf(globex), ["sku-a"]))[0]?.available).toBe(0);
    });

    it("when the cache says there is stock the database does not have, then the reservation is still rejected", async () => {
      const deps: InventoryDeps = {
        store: new MemoryInventoryStore(inventoryEventMapper),
        clock: fixedClock(new Date("2026-11-01T10:00:00.000Z")),
        newId: randomId,
        policy: DEFAULT_INVENTORY_POLICY,
        availabilityCache: harness.cache,
      };
      await setStock(deps, ctxOf(acme, ["tenant_admin"]), { sku: "gone", locationId: "main", onHand: 1, reason: "received" });
      await harness.cache.putMany(acme, [{ sku: "gone", available: 1_000, restockThreshold: 0 }]);
      const reservation = await reserveStock(deps, ctxOf(acme), { orderId: "o-2", lines: [{ sku: "gone", quantity: 5 }] });
      expect(reservation.status).toBe("rejected");
      expect(reservation.shortLines).toEqual([{ sku: "gone", requestedQuantity: 5, availableQuantity: 1 }]);
    });

    it("when the cache server is unreachable, then reads miss, writes are skipped, and availability comes from the database", async () => {
      if (!harness.unreachable) return;
      const down = await harness.unreachable();
      expect((await down.getMany(acme, ["a"])).size).toBe(0);
      await down.putMany(acme, [{ sku: "a", available: 1, restockThreshold: 0 }]);
      await down.invalidate(acme, ["a"]);
      const deps: InventoryDeps = {
        store: new MemoryInventoryStore(inventoryEventMapper),
        clock: fixedClock(new Date("2026-11-01T10:00:00.000Z")),
        newId: randomId,
        policy: DEFAULT_INVENTORY_POLICY,
        availabilityCache: down,
      };
      await setStock(deps, ctxOf(acme, ["tenant_admin"]), { sku: "a", locationId: "main", onHand: 8, reason: "received" });
      await reserveStock(deps, ctxOf(acme), { orderId: "o-3", lines: [{ sku: "a", quantity: 3 }] });
      expect((await getAvailability(deps, ctxOf(acme), ["a"]))[0]?.available).toBe(5);
    });
  });
}
