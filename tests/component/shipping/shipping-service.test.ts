import { fromBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IntegrationEvent } from "../../../core/kit/integration-event.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { CARRIER_WEBHOOK_PATH, signCarrierWebhook } from "../../../adapters/carrier/carrier-webhook-route.ts";
import { encodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import {
  OrderCancellationReason,
  OrderCancelledSchema,
  OrderConfirmedSchema,
} from "../../../gen/shop/events/v1/order_events_pb.ts";
import {
  OrderDeliveredSchema,
  OrderShippedSchema,
  ShipmentCreatedSchema,
  ShipmentExceptionSchema,
} from "../../../gen/shop/events/v1/shipping_events_pb.ts";
import { ServiceLevel, ShipmentStatus, ShippingService } from "../../../gen/shop/shipping/v1/shipping_pb.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { type ShippingServer, startShippingServer } from "./support/shipping-server.ts";

let server: ShippingServer;
let admin: { authorization: string };
let alice: { authorization: string };
let bob: { authorization: string };
let globexAdmin: { authorization: string };
const anonymous = { "x-tenant-id": "acme" };

beforeAll(async () => {
  server = await startShippingServer();
  admin = { authorization: await server.identity.bearer("acme", "admin-1", ["tenant_admin"]) };
  alice = { authorization: await server.identity.bearer("acme", "alice", ["customer"]) };
  bob = { authorization: await server.identity.bearer("acme", "bob", ["customer"]) };
  globexAdmin = { authorization: await server.identity.bearer("globex", "globex-admin", ["tenant_admin"]) };
});
afterAll(async () => {
  await server?.stop();
});

async function code(work: Promise<unknown>): Promise<Code | "ok"> {
  try {
    await work;
    return "ok";
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** OrderConfirmed as orders publishes it (shop.events.v1, keyed by order id), for alice unless told. */
function orderConfirmed(orderId: string, userId = "alice", tenant = "acme"): IntegrationEvent {
  return encodeEvent(
    OrderConfirmedSchema,
    {
      orderId,
      userId,
      paymentId: `pay-${orderId}`,
      lines: [
        { sku: "mug", productId: "p-mug", productName: "Mug", quantity: 2 },
        { sku: "tee", productId: "p-tee", productName: "Tee", quantity: 1 },
      ],
      shippingAddress: {
        recipientName: "Alice Liddell",
        addressLines: ["1 Rabbit Hole"],
        locality: "Oxford",
        postalCode: "OX1 1AA",
        countryCode: "GB",
      },
    },
    { topic: server.orderEventsTopic, key: orderId, occurredAt: new Date() },
    { tenantId: parseTenantId(tenant), correlationId: `corr-${orderId}` },
  );
}

const confirmedOrder = async (orderId: string, userId = "alice") => {
  await server.publisher.publish([{ ...orderConfirmed(orderId, userId), topic: server.orderEventsTopic }]);
  return eventually(`shipment of ${orderId}`, async () => {
    const client = createClient(ShippingService, server.transport("connect"));
    const found = await client
      .getShipment({ lookup: { case: "orderId", value: orderId } }, { headers: admin })
      .catch(() => undefined);
    return found?.shipment;
  });
};

function shippingEvent<T>(type: { typeName: string }, orderId: string, decode: (e: IntegrationEvent) => T & { orderId: string }) {
  return server.shippingEvents
    .filter((e) => e.type === type.typeName && e.tenantId === "acme")
    .map(decode)
    .filter((m) => m.orderId === orderId);
}

describe("order-events -> shipments (real Kafka)", () => {
  it("when OrderConfirmed is delivered twice (same event and a second id), then one shipment and one ShipmentCreated", async () => {
    const orderId = uniqueName("ord");
    const event = orderConfirmed(orderId);
    await server.publisher.publish([event, event]);
    await server.publisher.publish([{ ...event, id: `${event.id}-again` }]);
    const shipment = await confirmedOrder(orderId);
    expect(shipment).toMatchObject({
      orderId,
      userId: "alice",
      status: ShipmentStatus.LABEL_CREATED,
      carrier: "sandbox",
      serviceLevel: ServiceLevel.STANDARD,
      lines: [
        { sku: "mug", quantity: 2 },
        { sku: "tee", quantity: 1 },
      ],
      destination: { recipientName: "Alice Liddell", addressLines: ["1 Rabbit Hole"], locality: "Oxford", countryCode: "GB" },
    });
    expect(shipment.trackingNumber).toMatch(/^SBX/);
    const created = await eventually("ShipmentCreated on Kafka", () => {
      const found = shippingEvent(ShipmentCreatedSchema, orderId, (e) => fromBinary(ShipmentCreatedSchema, e.payload));
      return found.length > 0 ? found : undefined;
    });
    expect(created[0]).toMatchObject({
      shipmentId: shipment.shipmentId,
      trackingNumber: shipment.trackingNumber,
      serviceLevel: "STANDARD",
    });
    // Let the later deliveries land, then count.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const grpc = createClient(ShippingService, server.transport("grpc"));
    const mine = (await grpc.listShipments({}, { headers: admin })).shipments.filter((s) => s.orderId === orderId);
    expect(mine).toHaveLength(1);
    expect(shippingEvent(ShipmentCreatedSchema, orderId, (e) => fromBinary(ShipmentCreatedSchema, e.payload))).toHaveLength(1);
    expect(
      (await server.db.outbox()).filter((e) => e.type === ShipmentCreatedSchema.typeName && e.key === shipment.shipmentId),
    ).toHaveLength(1);
  });

  it("when the carrier fails twice, then the event is retried and the shipment is created once", async () => {
    const orderId = uniqueName("flaky");
    const before = server.carrier.labelsCreated;
    server.carrier.failNext(2);
    const shipment = await confirmedOrder(orderId);
    expect(shipment.status).toBe(ShipmentStatus.LABEL_CREATED);
    expect(server.carrier.labelsCreated).toBe(before + 1);
  });

  it("when OrderCancelled arrives before pickup, then the label is voided and the shipment cancelled", async () => {
    const orderId = uniqueName("cancel");
    const shipment = await confirmedOrder(orderId);
    const cancelled = encodeEvent(
      OrderCancelledSchema,
      { orderId, userId: "alice", reason: OrderCancellationReason.CUSTOMER_REQUESTED },
      { topic: server.orderEventsTopic, key: orderId, occurredAt: new Date() },
      { tenantId: parseTenantId("acme"), correlationId: "cancel" },
    );
    await server.publisher.publish([cancelled]);
    const grpc = createClient(ShippingService, server.transport("grpc"));
    await eventually("cancelled", async () => {
      const { shipment: now } = await grpc.getShipment({ lookup: { case: "orderId", value: orderId } }, { headers: admin });
      return now?.status === ShipmentStatus.CANCELLED ? true : undefined;
    });
    expect(server.carrier.voided.has(shipment.trackingNumber)).toBe(true);
  });
});

describe.each(["grpc", "connect"] as const)("ShippingService over %s", (kind) => {
  it("when an admin moves a shipment along, then OrderShipped and OrderDelivered reach Kafka once each", async () => {
    const shipping = createClient(ShippingService, server.transport(kind));
    const orderId = uniqueName(`adm-${kind}`);
    const shipment = await confirmedOrder(orderId);
    // Scans after the label was made (up to the tolerated clock skew ahead), a second apart.
    const base = Date.now();
    const at = (seconds: number) => timestampFromDate(new Date(base + seconds * 1_000));
    const step = (status: ShipmentStatus, seconds: number, id: string) =>
      shipping.updateShipmentStatus(
        {
          shipmentId: shipment.shipmentId,
          status,
          occurTime: at(seconds),
          location: "Memphis, TN",
          description: "scan",
          carrierEventId: id,
        },
        { headers: admin },
      );
    expect((await step(ShipmentStatus.PICKED_UP, 1, "a-1")).shipment?.status).toBe(ShipmentStatus.PICKED_UP);
    await step(ShipmentStatus.PICKED_UP, 1, "a-1"); // a replay
    await step(ShipmentStatus.IN_TRANSIT, 2, "a-2");
    const delivered = await step(ShipmentStatus.DELIVERED, 3, "a-3");
    expect(delivered.shipment?.trackingEvents.map((e) => e.status)).toEqual([
      ShipmentStatus.LABEL_CREATED,
      ShipmentStatus.PICKED_UP,
      ShipmentStatus.IN_TRANSIT,
      ShipmentStatus.DELIVERED,
    ]);
    expect(await code(step(ShipmentStatus.IN_TRANSIT, 30, "a-4"))).toBe(Code.FailedPrecondition);
    // A late, older scan joins the history without moving the status back.
    const late = await step(ShipmentStatus.OUT_FOR_DELIVERY, 2, "a-5");
    expect(late.shipment?.status).toBe(ShipmentStatus.DELIVERED);
    const shipped = await eventually("OrderShipped", () => {
      const found = shippingEvent(OrderShippedSchema, orderId, (e) => fromBinary(OrderShippedSchema, e.payload));
      return found.length > 0 ? found : undefined;
    });
    const deliveredEvents = await eventually("OrderDelivered", () => {
      const found = shippingEvent(OrderDeliveredSchema, orderId, (e) => fromBinary(OrderDeliveredSchema, e.payload));
      return found.length > 0 ? found : undefined;
    });
    expect(shipped).toHaveLength(1);
    expect(shipped[0]).toMatchObject({
      shipmentId: shipment.shipmentId,
      userId: "alice",
      trackingNumber: shipment.trackingNumber,
    });
    expect(shipped[0]?.shipTime).toEqual(at(1));
    expect(deliveredEvents).toHaveLength(1);
    expect(deliveredEvents[0]?.deliverTime).toEqual(at(3));
  });

  it("when customers, admins and anonymous callers read, then each sees what is theirs; tracking shows no address", async () => {
    const shipping = createClient(ShippingService, server.transport(kind));
    const orderId = uniqueName(`read-${kind}`);
    const shipment = await confirmedOrder(orderId, "alice");
    const byId = { lookup: { case: "shipmentId" as const, value: shipment.shipmentId } };
    expect((await shipping.getShipment(byId, { headers: alice })).shipment?.orderId).toBe(orderId);
    expect(
      (await shipping.getShipment({ lookup: { case: "orderId", value: orderId } }, { headers: alice })).shipment?.shipmentId,
    ).toBe(shipment.shipmentId);
    expect(await code(shipping.getShipment(byId, { headers: bob }))).toBe(Code.NotFound);
    expect(await code(shipping.getShipment(byId, { headers: anonymous }))).toBe(Code.Unauthenticated);
    const own = (await shipping.listShipments({}, { headers: alice })).shipments;
    expect(own.every((s) => s.userId === "alice")).toBe(true);
    expect(own.map((s) => s.orderId)).toContain(orderId);
    expect((await shipping.listShipments({}, { headers: bob })).shipments.map((s) => s.orderId)).not.toContain(orderId);
    const tracked = await shipping.trackShipment({ trackingNumber: shipment.trackingNumber }, { headers: anonymous });
    expect(tracked).toMatchObject({
      trackingNumber: shipment.trackingNumber,
      carrier: "sandbox",
      status: ShipmentStatus.LABEL_CREATED,
    });
    expect(JSON.stringify(tracked, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain("Oxford");
    expect(
      await code(
        shipping.updateShipmentStatus(
          {
            shipmentId: shipment.shipmentId,
            status: ShipmentStatus.PICKED_UP,
            occurTime: timestampFromDate(new Date()),
            carrierEventId: "x",
          },
          { headers: alice },
        ),
      ),
    ).toBe(Code.PermissionDenied);
  });

  it("when tenant globex calls every RPC on acme's shipment, then it sees and changes nothing of it", async () => {
    const shipping = createClient(ShippingService, server.transport(kind));
    const orderId = uniqueName(`iso-${kind}`);
    const shipment = await confirmedOrder(orderId);
    const globexAnonymous = { "x-tenant-id": "globex" };
    expect(
      await code(shipping.getShipment({ lookup: { case: "shipmentId", value: shipment.shipmentId } }, { headers: globexAdmin })),
    ).toBe(Code.NotFound);
    expect(await code(shipping.getShipment({ lookup: { case: "orderId", value: orderId } }, { headers: globexAdmin }))).toBe(
      Code.NotFound,
    );
    expect((await shipping.listShipments({}, { headers: globexAdmin })).shipments.map((s) => s.orderId)).not.toContain(orderId);
    expect(await code(shipping.trackShipment({ trackingNumber: shipment.trackingNumber }, { headers: globexAnonymous }))).toBe(
      Code.NotFound,
    );
    expect(
      await code(
        shipping.updateShipmentStatus(
          {
            shipmentId: shipment.shipmentId,
            status: ShipmentStatus.DELIVERED,
            occurTime: timestampFromDate(new Date()),
            carrierEventId: "globex-1",
          },
          { headers: globexAdmin },
        ),
      ),
    ).toBe(Code.NotFound);
    // A token of globex with x-tenant-id acme still acts in globex.
    expect(
      await code(
        shipping.getShipment(
          { lookup: { case: "orderId", value: orderId } },
          { headers: { ...globexAdmin, "x-tenant-id": "acme" } },
        ),
      ),
    ).not.toBe("ok");
    const ours = await shipping.getShipment({ lookup: { case: "orderId", value: orderId } }, { headers: admin });
    expect(ours.shipment?.status).toBe(ShipmentStatus.LABEL_CREATED);
    expect(ours.shipment?.trackingEvents).toHaveLength(1);
  });

  it("when bad input comes, then INVALID_ARGUMENT (naming the field) or NOT_FOUND, and nothing changes", async () => {
    const shipping = createClient(ShippingService, server.transport(kind));
    const orderId = uniqueName(`bad-${kind}`);
    const shipment = await confirmedOrder(orderId);
    const now = timestampFromDate(new Date());
    const valid = { shipmentId: shipment.shipmentId, status: ShipmentStatus.PICKED_UP, occurTime: now, carrierEventId: "ok-1" };
    const bad = [
      shipping.getShipment({ lookup: { case: undefined } }, { headers: admin }),
      shipping.getShipment({ lookup: { case: "shipmentId", value: "" } }, { headers: admin }),
      shipping.getShipment({ lookup: { case: "orderId", value: "x".repeat(65) } }, { headers: admin }),
      shipping.listShipments({ status: 99 as ShipmentStatus }, { headers: admin }),
      shipping.listShipments({ page: { pageSize: 101, pageToken: "" } }, { headers: admin }),
      shipping.listShipments({ page: { pageSize: 10, pageToken: "not-ours" } }, { headers: admin }),
      shipping.updateShipmentStatus({ ...valid, shipmentId: "" }, { headers: admin }),
      shipping.updateShipmentStatus({ ...valid, status: ShipmentStatus.UNSPECIFIED }, { headers: admin }),
      shipping.updateShipmentStatus({ ...valid, occurTime: undefined }, { headers: admin }),
      shipping.updateShipmentStatus(
        { ...valid, occurTime: timestampFromDate(new Date(Date.now() + 86_400_000)) },
        { headers: admin },
      ),
      shipping.updateShipmentStatus({ ...valid, carrierEventId: "" }, { headers: admin }),
      shipping.updateShipmentStatus({ ...valid, location: "x".repeat(201) }, { headers: admin }),
      shipping.updateShipmentStatus({ ...valid, description: "x".repeat(501) }, { headers: admin }),
      shipping.trackShipment({ trackingNumber: "" }, { headers: anonymous }),
    ];
    for (const call of bad) expect(await code(call)).toBe(Code.InvalidArgument);
    expect(await code(shipping.updateShipmentStatus({ ...valid, shipmentId: "no-such-shipment" }, { headers: admin }))).toBe(
      Code.NotFound,
    );
    expect(await code(shipping.trackShipment({ trackingNumber: "SBXNOPE" }, { headers: anonymous }))).toBe(Code.NotFound);
    const field = await shipping
      .updateShipmentStatus({ ...valid, occurTime: timestampFromDate(new Date(Date.now() + 86_400_000)) }, { headers: admin })
      .catch((e) => ConnectError.from(e).metadata.get("shop-error-field"));
    expect(field).toBe("occur_time");
    const after = await shipping.getShipment({ lookup: { case: "orderId", value: orderId } }, { headers: admin });
    expect(after.shipment?.status).toBe(ShipmentStatus.LABEL_CREATED);
    expect(after.shipment?.trackingEvents).toHaveLength(1);
  });
});

describe("carrier webhook", () => {
  const post = (body: string, signature: string | undefined) =>
    fetch(`${server.url}${CARRIER_WEBHOOK_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(signature ? { "x-carrier-signature": signature } : {}) },
      body,
    });
  /** A report dated `secondsAhead` after now (the label was made just before). */
  const report = (trackingNumber: string, status: string, eventId: string, secondsAhead = 1, tenant = "acme") =>
    JSON.stringify({
      tenant_id: tenant,
      tracking_number: trackingNumber,
      event_id: eventId,
      status,
      occur_time: new Date(Date.now() + secondsAhead * 1_000).toISOString(),
      location: "Louisville, KY",
      description: "Arrived at facility",
    });

  it("when the carrier posts signed reports, then the status follows; a bad, stale or missing signature changes nothing", async () => {
    const orderId = uniqueName("hook");
    const shipment = await confirmedOrder(orderId);
    const grpc = createClient(ShippingService, server.transport("grpc"));
    const statusNow = async () =>
      (await grpc.getShipment({ lookup: { case: "orderId", value: orderId } }, { headers: admin })).shipment;

    const moving = report(shipment.trackingNumber, "IN_TRANSIT", "w-1", 1);
    expect((await post(moving, signCarrierWebhook("wrong-secret-wrong-secret-wrong-secret", moving, Date.now()))).status).toBe(
      401,
    );
    expect((await post(moving, undefined)).status).toBe(401);
    expect((await post(moving, signCarrierWebhook(server.webhookSecret, moving, Date.now() - 10 * 60_000))).status).toBe(401);
    const tampered = moving.replace("IN_TRANSIT", "DELIVERED");
    expect((await post(tampered, signCarrierWebhook(server.webhookSecret, moving, Date.now()))).status).toBe(401);
    expect((await statusNow())?.status).toBe(ShipmentStatus.LABEL_CREATED);

    const sign = (body: string) => signCarrierWebhook(server.webhookSecret, body, Date.now());
    expect((await post(moving, sign(moving))).status).toBe(204);
    expect((await post(moving, sign(moving))).status).toBe(204); // a replay
    expect((await statusNow())?.trackingEvents).toHaveLength(2);
    const trouble = report(shipment.trackingNumber, "SHIPMENT_STATUS_EXCEPTION", "w-2", 2);
    expect((await post(trouble, sign(trouble))).status).toBe(204);
    expect((await statusNow())?.status).toBe(ShipmentStatus.EXCEPTION);
    const done = report(shipment.trackingNumber, "DELIVERED", "w-3", 3);
    expect((await post(done, sign(done))).status).toBe(204);
    const back = report(shipment.trackingNumber, "IN_TRANSIT", "w-4", 4);
    const refused = await post(back, sign(back));
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "SHIPPING.ILLEGAL_TRANSITION" });
    expect((await statusNow())?.status).toBe(ShipmentStatus.DELIVERED);

    const unknown = report("SBXUNKNOWN", "IN_TRANSIT", "w-5");
    expect((await post(unknown, sign(unknown))).status).toBe(404);
    const otherTenant = report(shipment.trackingNumber, "IN_TRANSIT", "w-6", 1, "globex");
    expect((await post(otherTenant, sign(otherTenant))).status).toBe(404);
    for (const body of ["not json", "[]", report(shipment.trackingNumber, "FLYING", "w-7"), report("", "IN_TRANSIT", "w-8")]) {
      const response = await post(body, sign(body));
      expect(response.status).toBe(400);
    }
    expect((await fetch(`${server.url}${CARRIER_WEBHOOK_PATH}`)).status).toBe(405);

    const exceptions = await eventually("ShipmentException", () => {
      const found = shippingEvent(ShipmentExceptionSchema, orderId, (e) => fromBinary(ShipmentExceptionSchema, e.payload));
      return found.length > 0 ? found : undefined;
    });
    expect(exceptions[0]?.description).toBe("Arrived at facility");
    await eventually("OrderDelivered", () => {
      const found = shippingEvent(OrderDeliveredSchema, orderId, (e) => fromBinary(OrderDeliveredSchema, e.payload));
      return found.length > 0 ? found : undefined;
    });
    expect(shippingEvent(OrderShippedSchema, orderId, (e) => fromBinary(OrderShippedSchema, e.payload))).toHaveLength(1);
  });
});
