import { fromBinary } from "@bufbuild/protobuf";
import { beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../../core/kit/clock.ts";
import { sequentialIds } from "../../../core/kit/ids.ts";
import { parseTenantId, type RequestContext } from "../../../core/kit/request-context.ts";
import { DEFAULT_SHIPPING_POLICY, type ShippingDeps } from "../../../core/shipping/shipping-deps.ts";
import {
  cancelShipmentForOrder,
  createShipmentForOrder,
  getShipment,
  listShipments,
  recordCarrierUpdate,
  trackShipment,
  updateShipmentStatus,
  type OrderToShip,
} from "../../../core/shipping/shipments.ts";
import { createSandboxCarrier, type SandboxCarrier } from "../../../adapters/carrier/sandbox-carrier.ts";
import { MemoryShipmentStore } from "../../../adapters/memory/shipping/memory-shipment-store.ts";
import { OrderShippedSchema, ShipmentCreatedSchema } from "../../../gen/shop/events/v1/shipping_events_pb.ts";
import { shippingEventMapper } from "../../../services/shipping/shipping-event-mapper.ts";
import { domainFailure } from "../../support/domain-failure.ts";

const ctxOf = (tenant: string, caller?: { userId: string; roles: string[] }): RequestContext => ({
  tenantId: parseTenantId(tenant),
  caller,
  correlationId: `corr-${tenant}`,
  signal: new AbortController().signal,
});
const service = ctxOf("acme");
const admin = ctxOf("acme", { userId: "admin-1", roles: ["tenant_admin"] });
const alice = ctxOf("acme", { userId: "alice", roles: ["customer"] });
const bob = ctxOf("acme", { userId: "bob", roles: ["customer"] });
const globexAdmin = ctxOf("globex", { userId: "g-admin", roles: ["tenant_admin"] });

const order = (orderId: string, userId = "alice"): OrderToShip => ({
  orderId,
  userId,
  destination: {
    recipientName: "Alice",
    addressLines: ["1 Main St"],
    locality: "Springfield",
    administrativeArea: "IL",
    postalCode: "62701",
    countryCode: "US",
    phoneNumber: "",
  },
  lines: [
    { sku: "mug", quantity: 2 },
    { sku: "tee", quantity: 1 },
  ],
});
const update = (status: "picked_up" | "in_transit" | "delivered" | "exception", minutes: number, id: string) => ({
  status,
  occurredAt: new Date(Date.parse("2026-11-01T10:00:00Z") + minutes * 60_000),
  location: "Memphis, TN",
  description: `now ${status}`,
  carrierEventId: id,
});

let store: MemoryShipmentStore;
let carrier: SandboxCarrier;
let deps: ShippingDeps;

beforeEach(() => {
  const clock = fixedClock(new Date("2026-11-01T10:00:00Z"));
  store = new MemoryShipmentStore(shippingEventMapper);
  carrier = createSandboxCarrier({ newId: sequentialIds("trk"), clock });
  deps = { store, carrier, clock, newId: sequentialIds("shp"), policy: DEFAULT_SHIPPING_POLICY };
});

describe("createShipmentForOrder", () => {
  it("when an order is confirmed, then one labelled shipment and ShipmentCreated, however often it is asked", async () => {
    const first = await createShipmentForOrder(deps, service, order("o-1"));
    const again = await createShipmentForOrder(deps, service, order("o-1"));
    const raced = await Promise.all([
      createShipmentForOrder(deps, service, order("o-2")),
      createShipmentForOrder(deps, service, order("o-2")),
    ]);
    expect(again).toEqual(first);
    expect(raced[0].id).toBe(raced[1].id);
    expect(first).toMatchObject({
      status: "label_created",
      carrier: "sandbox",
      serviceLevel: "standard",
      trackingNumber: "SBXTRK1",
      userId: "alice",
      lines: [
        { sku: "mug", quantity: 2 },
        { sku: "tee", quantity: 1 },
      ],
    });
    expect(first.estimatedDeliveryAt).toEqual(new Date("2026-11-06T10:00:00Z"));
    expect(carrier.labelsCreated).toBe(2);
    const created = store.outbox.filter((e) => e.type === ShipmentCreatedSchema.typeName);
    expect(created).toHaveLength(2);
    expect(fromBinary(ShipmentCreatedSchema, created[0]!.payload)).toMatchObject({
      shipmentId: first.id,
      orderId: "o-1",
      serviceLevel: "STANDARD",
      trackingNumber: "SBXTRK1",
    });
    expect(created[0]).toMatchObject({ topic: "shipping-events", key: first.id, tenantId: "acme" });
  });

  it("when the carrier is down, then UNAVAILABLE and nothing is stored; the retry succeeds", async () => {
    carrier.failNext(1);
    expect((await domainFailure(createShipmentForOrder(deps, service, order("o-1")))).kind).toBe("unavailable");
    expect(await store.find(service.tenantId, { orderId: "o-1" })).toBeUndefined();
    expect((await createShipmentForOrder(deps, service, order("o-1"))).status).toBe("label_created");
  });

  it("when the order lacks an address or lines, or a customer calls, then it is refused", async () => {
    expect((await domainFailure(createShipmentForOrder(deps, service, { ...order("o-1"), destination: undefined }))).field).toBe(
      "shipping_address",
    );
    expect((await domainFailure(createShipmentForOrder(deps, service, { ...order("o-1"), lines: [] }))).field).toBe("lines");
    expect((await domainFailure(createShipmentForOrder(deps, alice, order("o-1")))).kind).toBe("permission_denied");
    expect(carrier.labelsCreated).toBe(0);
  });
});

describe("status updates", () => {
  it("when an admin and the carrier report, then the status follows and OrderShipped / OrderDelivered go out once", async () => {
    const shipment = await createShipmentForOrder(deps, service, order("o-1"));
    await updateShipmentStatus(deps, admin, shipment.id, update("picked_up", 1, "c-1"));
    await recordCarrierUpdate(deps, service, shipment.trackingNumber, update("in_transit", 2, "c-2"));
    await recordCarrierUpdate(deps, service, shipment.trackingNumber, update("in_transit", 2, "c-2"));
    const done = await recordCarrierUpdate(deps, service, shipment.trackingNumber, update("delivered", 3, "c-3"));
    expect(done.status).toBe("delivered");
    expect(done.trackingEvents.map((e) => e.status)).toEqual(["label_created", "picked_up", "in_transit", "delivered"]);
    expect(store.outbox.map((e) => e.type)).toEqual([
      "shop.events.v1.ShipmentCreated",
      "shop.events.v1.OrderShipped",
      "shop.events.v1.OrderDelivered",
    ]);
    const shipped = fromBinary(OrderShippedSchema, store.outbox[1]!.payload);
    expect(shipped).toMatchObject({ orderId: "o-1", userId: "alice", trackingNumber: shipment.trackingNumber });
    expect(shipped.shipTime?.seconds).toBe(BigInt(Date.parse("2026-11-01T10:01:00Z") / 1000));
    const back = await domainFailure(updateShipmentStatus(deps, admin, shipment.id, update("in_transit", 9, "c-4")));
    expect(back).toMatchObject({ kind: "failed_precondition", code: "SHIPPING.ILLEGAL_TRANSITION" });
  });

  it("when the input is bad or the caller may not, then INVALID_ARGUMENT, NOT_FOUND or PERMISSION_DENIED", async () => {
    const shipment = await createShipmentForOrder(deps, service, order("o-1"));
    const bad = [
      [{ ...update("picked_up", 1, "x"), status: undefined }, "status"],
      [{ ...update("picked_up", 1, "x"), occurredAt: undefined }, "occur_time"],
      [{ ...update("picked_up", 1, "x"), occurredAt: new Date("2026-11-03T00:00:00Z") }, "occur_time"],
      [{ ...update("picked_up", 1, "x"), location: "x".repeat(201) }, "location"],
      [{ ...update("picked_up", 1, "x"), description: "x".repeat(501) }, "description"],
      [{ ...update("picked_up", 1, "x"), carrierEventId: "" }, "carrier_event_id"],
    ] as const;
    for (const [input, field] of bad) {
      expect((await domainFailure(updateShipmentStatus(deps, admin, shipment.id, input))).field).toBe(field);
    }
    expect((await domainFailure(updateShipmentStatus(deps, admin, "nope", update("picked_up", 1, "y")))).kind).toBe("not_found");
    expect((await domainFailure(updateShipmentStatus(deps, alice, shipment.id, update("picked_up", 1, "y")))).kind).toBe(
      "permission_denied",
    );
    expect((await domainFailure(updateShipmentStatus(deps, service, shipment.id, update("picked_up", 1, "y")))).kind).toBe(
      "unauthenticated",
    );
    expect((await domainFailure(updateShipmentStatus(deps, globexAdmin, shipment.id, update("picked_up", 1, "y")))).kind).toBe(
      "not_found",
    );
    expect(
      (await domainFailure(recordCarrierUpdate(deps, alice, shipment.trackingNumber, update("picked_up", 1, "y")))).kind,
    ).toBe("permission_denied");
    expect((await trackShipment(deps, service, shipment.trackingNumber)).status).toBe("label_created");
  });
});

describe("cancellation", () => {
  it("when the order is cancelled before pickup, then the label is voided and the shipment cancelled", async () => {
    const shipment = await createShipmentForOrder(deps, service, order("o-1"));
    const { shipment: after, cancelled } = await cancelShipmentForOrder(deps, service, "o-1");
    expect(cancelled).toBe(true);
    expect(after?.status).toBe("cancelled");
    expect(carrier.voided.has(shipment.trackingNumber)).toBe(true);
    expect((await cancelShipmentForOrder(deps, service, "o-1")).cancelled).toBe(false);
    expect(store.outbox.map((e) => e.type)).toEqual(["shop.events.v1.ShipmentCreated"]);
  });

  it("when the carrier already has it, or there is no shipment, then nothing changes", async () => {
    const shipment = await createShipmentForOrder(deps, service, order("o-1"));
    await recordCarrierUpdate(deps, service, shipment.trackingNumber, update("picked_up", 1, "c-1"));
    const { shipment: after, cancelled } = await cancelShipmentForOrder(deps, service, "o-1");
    expect(cancelled).toBe(false);
    expect(after?.status).toBe("picked_up");
    expect(carrier.voided.size).toBe(0);
    expect(await cancelShipmentForOrder(deps, service, "never-shipped")).toEqual({ shipment: undefined, cancelled: false });
  });
});

describe("reading", () => {
  it("when customers and admins read, then each sees what is theirs to see, others get NOT_FOUND", async () => {
    const mine = await createShipmentForOrder(deps, service, order("o-1", "alice"));
    const his = await createShipmentForOrder(deps, service, order("o-2", "bob"));
    expect((await getShipment(deps, alice, { shipmentId: mine.id })).id).toBe(mine.id);
    expect((await getShipment(deps, alice, { orderId: "o-1" })).id).toBe(mine.id);
    expect((await getShipment(deps, admin, { orderId: "o-2" })).id).toBe(his.id);
    expect((await domainFailure(getShipment(deps, bob, { shipmentId: mine.id }))).kind).toBe("not_found");
    expect((await domainFailure(getShipment(deps, globexAdmin, { orderId: "o-1" }))).kind).toBe("not_found");
    expect((await domainFailure(getShipment(deps, service, { orderId: "o-1" }))).kind).toBe("unauthenticated");
    expect((await listShipments(deps, alice, {})).items.map((s) => s.id)).toEqual([mine.id]);
    expect((await listShipments(deps, admin, {})).items.map((s) => s.id)).toEqual([his.id, mine.id]);
    expect((await listShipments(deps, globexAdmin, {})).items).toEqual([]);
    const page = await listShipments(deps, admin, { pageSize: 1 });
    expect(page.items.map((s) => s.id)).toEqual([his.id]);
    expect((await listShipments(deps, admin, { pageSize: 1, pageToken: page.nextPageToken! })).items.map((s) => s.id)).toEqual([
      mine.id,
    ]);
    expect((await listShipments(deps, admin, { status: "delivered" })).items).toEqual([]);
    expect((await domainFailure(trackShipment(deps, ctxOf("globex"), mine.trackingNumber))).kind).toBe("not_found");
    expect((await domainFailure(listShipments(deps, admin, { pageToken: "garbage!" }))).field).toBe("page.page_token");
  });
});
