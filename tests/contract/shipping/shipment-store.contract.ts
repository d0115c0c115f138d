import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import { randomId } from "../../../core/kit/ids.ts";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { createShipment } from "../../../core/shipping/shipment.ts";
import type { ShipmentStore } from "../../../core/shipping/shipment-store.ts";
import { DEFAULT_SHIPPING_POLICY, type ShippingDeps } from "../../../core/shipping/shipping-deps.ts";
import {
  cancelShipmentForOrder,
  createShipmentForOrder,
  listShipments,
  recordCarrierUpdate,
  type OrderToShip,
} from "../../../core/shipping/shipments.ts";
import { createSandboxCarrier } from "../../../adapters/carrier/sandbox-carrier.ts";

export interface ShipmentStoreHarness {
  readonly store: ShipmentStore;
  /** The integration events stored with the changes, oldest first. */
  recordedEvents(): Promise<IntegrationEvent[]>;
  dispose(): Promise<void>;
}

const ctxOf = (tenant: string): RequestContext => ({
  tenantId: parseTenantId(tenant),
  caller: undefined,
  correlationId: `corr-${tenant}`,
  signal: new AbortController().signal,
});
const acme = ctxOf("acme");
const globex = ctxOf("globex");
const order = (orderId: string, userId = "alice"): OrderToShip => ({
  orderId,
  userId,
  destination: {
    recipientName: "Zoë Ünicode",
    addressLines: ["1 Main St", "Apt 2"],
    locality: "Springfield",
    administrativeArea: "IL",
    postalCode: "62701",
    countryCode: "US",
    phoneNumber: "+15555550100",
  },
  lines: [{ sku: "mug", quantity: 2 }],
});

/** The behaviour every ShipmentStore adapter must show, exercised through the use cases. */
export function shipmentStoreContract(name: string, open: () => Promise<ShipmentStoreHarness>): void {
  describe(`ShipmentStore contract: ${name}`, () => {
    let harness: ShipmentStoreHarness;
    let deps: ShippingDeps;
    const clock = fixedClock(new Date("2026-11-01T10:00:00.123Z"));

    beforeEach(async () => {
      harness = await open();
      deps = {
        store: harness.store,
        carrier: createSandboxCarrier({ newId: randomId, clock }),
        clock,
        newId: randomId,
        policy: DEFAULT_SHIPPING_POLICY,
      };
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it("when a shipment is stored, then every lookup reads it back field for field, in its tenant only", async () => {
      const created = await createShipmentForOrder(deps, acme, order("o-1"));
      for (const lookup of [{ shipmentId: created.id }, { orderId: "o-1" }, { trackingNumber: created.trackingNumber }]) {
        expect(await harness.store.find(acme.tenantId, lookup)).toEqual(created);
        expect(await harness.store.find(globex.tenantId, lookup)).toBeUndefined();
      }
      expect(created.createdAt).toEqual(new Date("2026-11-01T10:00:00.123Z"));
      const events = await harness.recordedEvents();
      expect(events.map((e) => [e.type, e.key, e.tenantId])).toEqual([["shop.events.v1.ShipmentCreated", created.id, "acme"]]);
    });

    it("when the same order is shipped by racing deliveries, then one shipment and one ShipmentCreated", async () => {
      const results = await Promise.all(Array.from({ length: 4 }, () => createShipmentForOrder(deps, acme, order("race-1"))));
      expect(new Set(results.map((s) => s.id)).size).toBe(1);
      const events = await harness.recordedEvents();
      expect(events.filter((e) => e.type === "shop.events.v1.ShipmentCreated")).toHaveLength(1);
      // Another tenant may use the same order id.
      const theirs = await createShipmentForOrder(deps, globex, order("race-1"));
      expect(theirs.id).not.toBe(results[0]!.id);
    });

    it("when a status update lands, then state and events commit together, and a failed transaction leaves neither", async () => {
      const created = await createShipmentForOrder(deps, acme, order("o-2"));
      const at = new Date("2026-11-01T10:05:00.000Z");
      const moved = await recordCarrierUpdate(deps, acme, created.trackingNumber, {
        status: "in_transit",
        occurredAt: at,
        location: "Memphis, TN",
        description: "Arrived at facility",
        carrierEventId: "c-1",
      });
      expect(await harness.store.find(acme.tenantId, { orderId: "o-2" })).toEqual(moved);
      expect(moved.trackingEvents.at(-1)).toEqual({
        status: "in_transit",
        occurredAt: at,
        location: "Memphis, TN",
        description: "Arrived at facility",
        carrierEventId: "c-1",
      });
      expect(moved.shippedAt).toEqual(at);
      await expect(
        harness.store.transaction(acme, async (tx) => {
          const current = await tx.lock({ orderId: "o-2" });
          await tx.update({ ...current!, status: "delivered" });
          await tx.publish([{ type: "OrderDelivered", shipment: current!, deliveredAt: at }]);
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect((await harness.store.find(acme.tenantId, { orderId: "o-2" }))?.status).toBe("in_transit");
      expect((await harness.recordedEvents()).map((e) => e.type)).toEqual([
        "shop.events.v1.ShipmentCreated",
        "shop.events.v1.OrderShipped",
      ]);
    });

    it("when a second shipment with a taken order id is inserted, then the transaction fails", async () => {
      const created = await createShipmentForOrder(deps, acme, order("o-3"));
      const copy = createShipment({ ...created, id: "other-id", trackingNumber: "OTHER", now: clock.now() }).shipment;
      await expect(harness.store.transaction(acme, (tx) => tx.insert({ ...copy, orderId: "o-3" }))).rejects.toThrow();
      expect(await harness.store.find(acme.tenantId, { shipmentId: "other-id" })).toBeUndefined();
    });

    it("when shipments are listed, then newest first, by customer and status, in pages", async () => {
      const a = await createShipmentForOrder(deps, acme, order("l-1", "alice"));
      const b = await createShipmentForOrder(deps, acme, order("l-2", "bob"));
      const c = await createShipmentForOrder(deps, acme, order("l-3", "alice"));
      await createShipmentForOrder(deps, globex, order("l-4", "alice"));
      await cancelShipmentForOrder(deps, acme, "l-2");
      const all = await harness.store.list(acme.tenantId, { pageSize: 2 });
      expect(all.items.map((s) => s.id)).toEqual([c.id, b.id]);
      const rest = await harness.store.list(acme.tenantId, { pageSize: 2, pageToken: all.nextPageToken });
      expect(rest.items.map((s) => s.id)).toEqual([a.id]);
      expect(rest.nextPageToken).toBeUndefined();
      expect((await harness.store.list(acme.tenantId, { pageSize: 10, userId: "alice" })).items.map((s) => s.id)).toEqual([
        c.id,
        a.id,
      ]);
      expect((await harness.store.list(acme.tenantId, { pageSize: 10, status: "cancelled" })).items.map((s) => s.id)).toEqual([
        b.id,
      ]);
      const admin = { ...acme, caller: { userId: "admin", roles: ["tenant_admin"] } };
      expect((await listShipments(deps, admin, {})).items).toHaveLength(3);
    });
  });
}
