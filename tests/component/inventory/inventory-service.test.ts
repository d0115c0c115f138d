import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { fromBinary } from "@bufbuild/protobuf";
import { encodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import {
  OrderCancelledSchema,
  OrderCancellationReason,
  OrderCreatedSchema,
} from "../../../gen/shop/events/v1/order_events_pb.ts";
import { InventoryReservedSchema } from "../../../gen/shop/events/v1/inventory_events_pb.ts";
import {
  AdjustmentReason,
  InventoryService,
  MovementKind,
  ReleaseReason,
  ReservationStatus,
} from "../../../gen/shop/inventory/v1/inventory_pb.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { type InventoryServer, startInventoryServer } from "./support/inventory-server.ts";

let server: InventoryServer;
let admin: { authorization: string };
let customer: { authorization: string };
const service = { "x-tenant-id": "acme" };

beforeAll(async () => {
  server = await startInventoryServer({ sweepIntervalMs: 100 });
  admin = { authorization: await server.identity.bearer("acme", "admin-1", ["tenant_admin"]) };
  customer = { authorization: await server.identity.bearer("acme", "user-1", ["customer"]) };
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

const waitFor = async (check: () => Promise<boolean>, ms = 5_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe.each(["grpc", "connect"] as const)("InventoryService over %s", (kind) => {
  it("when an admin stocks a SKU, then availability, stock and the ledger show it", async () => {
    const inventory = createClient(InventoryService, server.transport(kind));
    const sku = `journey-${kind}`;
    await inventory.setStock(
      { sku, locationId: "main", onHandQuantity: 10, reason: AdjustmentReason.RECEIVED },
      { headers: admin },
    );
    const adjusted = await inventory.adjustStock(
      { sku, locationId: "main", deltaQuantity: 5, reason: AdjustmentReason.RECEIVED, idempotencyKey: `adjust-${kind}-1` },
      { headers: admin },
    );
    expect(adjusted.level?.onHandQuantity).toBe(15);
    await inventory.setRestockThreshold({ sku, restockThreshold: 20 }, { headers: admin });
    const { availabilities } = await inventory.batchGetAvailability({ skus: [sku, "never-seen"] }, { headers: customer });
    expect(availabilities.map((a) => [a.sku, a.availableQuantity, a.inStock, a.lowStock])).toEqual([
      [sku, 15, true, true],
      ["never-seen", 0, false, false],
    ]);
    const stock = await inventory.getStock({ sku }, { headers: admin });
    expect(stock.summary).toMatchObject({ onHandQuantity: 15, reservedQuantity: 0, restockThreshold: 20 });
    const { movements } = await inventory.listStockMovements({ sku }, { headers: admin });
    expect(movements.map((m) => [m.kind, m.onHandDelta])).toEqual([
      [MovementKind.ADJUSTMENT, 5],
      [MovementKind.ADJUSTMENT, 10],
    ]);
    expect((await inventory.listLowStock({}, { headers: admin })).skus.map((s) => s.sku)).toContain(sku);
    expect(await code(inventory.getStock({ sku }, { headers: customer }))).toBe(Code.PermissionDenied);
    expect(await code(inventory.setStock({ sku, locationId: "main", onHandQuantity: 1, reason: 1 }, { headers: service }))).toBe(
      Code.Unauthenticated,
    );
  });

  it("when bad input comes, then INVALID_ARGUMENT or NOT_FOUND, and nothing changes", async () => {
    const inventory = createClient(InventoryService, server.transport(kind));
    const sku = `bad-${kind}`;
    await inventory.setStock(
      { sku, locationId: "main", onHandQuantity: 3, reason: AdjustmentReason.RECEIVED },
      { headers: admin },
    );
    const bad = [
      inventory.setStock({ sku, locationId: "main", onHandQuantity: -1, reason: AdjustmentReason.RECEIVED }, { headers: admin }),
      inventory.setStock({ sku, locationId: "Main!", onHandQuantity: 1, reason: AdjustmentReason.RECEIVED }, { headers: admin }),
      inventory.setStock({ sku, locationId: "main", onHandQuantity: 2_000_000_000, reason: 1 }, { headers: admin }),
      inventory.adjustStock(
        { sku, locationId: "main", deltaQuantity: 2_000_000, reason: 1, idempotencyKey: "huge-delta-1" },
        { headers: admin },
      ),
      inventory.adjustStock(
        { sku, locationId: "main", deltaQuantity: 0, reason: 1, idempotencyKey: "zero-delta-1" },
        { headers: admin },
      ),
      inventory.setRestockThreshold({ sku, restockThreshold: -5 }, { headers: admin }),
      inventory.batchGetAvailability({ skus: [] }, { headers: customer }),
      inventory.getStock({ sku: "" }, { headers: admin }),
    ];
    for (const call of bad) expect(await code(call)).toBe(Code.InvalidArgument);
    expect(await code(inventory.getStock({ sku: "unknown-sku" }, { headers: admin }))).toBe(Code.NotFound);
    expect(await code(inventory.getReservation({ orderId: "unknown-order" }, { headers: admin }))).toBe(Code.NotFound);
    const below = inventory.adjustStock(
      { sku, locationId: "main", deltaQuantity: -4, reason: AdjustmentReason.DAMAGED, idempotencyKey: `below-${kind}` },
      { headers: admin },
    );
    expect(await code(below)).toBe(Code.FailedPrecondition);
    const stock = await inventory.getStock({ sku }, { headers: admin });
    expect(stock.summary).toMatchObject({ onHandQuantity: 3, reservedQuantity: 0 });
    expect((await inventory.listStockMovements({ sku }, { headers: admin })).movements).toHaveLength(1);
  });

  it("when tenant globex's admin calls every RPC on acme's data, then it sees and changes nothing of it", async () => {
    const inventory = createClient(InventoryService, server.transport(kind));
    const sku = `isolated-${kind}`;
    const orderId = `isolated-order-${kind}`;
    await inventory.setStock(
      { sku, locationId: "main", onHandQuantity: 5, reason: AdjustmentReason.RECEIVED },
      { headers: admin },
    );
    await inventory.setRestockThreshold({ sku, restockThreshold: 10 }, { headers: admin });
    if (kind === "grpc") {
      await inventory.reserveStock({ orderId, lines: [{ sku, quantity: 2 }] }, { headers: service });
    } else {
      await inventory.reserveStock({ orderId, lines: [{ sku, quantity: 2 }] }, { headers: admin }).catch(() => undefined);
      const grpc = createClient(InventoryService, server.transport("grpc"));
      await grpc.reserveStock({ orderId, lines: [{ sku, quantity: 2 }] }, { headers: service });
    }
    const globex = { authorization: await server.identity.bearer("globex", "globex-admin", ["tenant_admin"]) };
    expect(await code(inventory.getStock({ sku }, { headers: globex }))).toBe(Code.NotFound);
    expect(
      (await inventory.batchGetAvailability({ skus: [sku] }, { headers: globex })).availabilities[0]?.availableQuantity,
    ).toBe(0);
    expect((await inventory.listLowStock({}, { headers: globex })).skus.map((s) => s.sku)).not.toContain(sku);
    expect((await inventory.listStockMovements({ sku }, { headers: globex })).movements).toEqual([]);
    expect(await code(inventory.getReservation({ orderId }, { headers: globex }))).toBe(Code.NotFound);
    expect((await inventory.listReservations({}, { headers: globex })).reservations.map((r) => r.orderId)).not.toContain(orderId);
    if (kind === "grpc") {
      expect(await code(inventory.commitReservation({ orderId }, { headers: globex }))).toBe(Code.NotFound);
      expect(await code(inventory.releaseReservation({ orderId, reason: 1 }, { headers: globex }))).toBe(Code.NotFound);
      const theirs = await inventory.reserveStock({ orderId, lines: [{ sku, quantity: 1 }] }, { headers: globex });
      expect(theirs.reservation?.status).toBe(ReservationStatus.REJECTED);
    }
    // Writes in globex under the same SKU name land in globex only.
    await inventory.setStock({ sku, locationId: "main", onHandQuantity: 99, reason: 1 }, { headers: globex });
    await inventory.adjustStock(
      { sku, locationId: "main", deltaQuantity: 1, reason: 1, idempotencyKey: `g-${kind}-1` },
      { headers: globex },
    );
    await inventory.setRestockThreshold({ sku, restockThreshold: 0 }, { headers: globex });
    const ours = await inventory.getStock({ sku }, { headers: admin });
    expect(ours.summary).toMatchObject({ onHandQuantity: 5, reservedQuantity: 2, restockThreshold: 10 });
  });
});

describe("reservations over gRPC (internal methods)", () => {
  it("when orders reserve, commit and release, then stock follows; Connect cannot reach the internal methods", async () => {
    const grpc = createClient(InventoryService, server.transport("grpc"));
    const connect = createClient(InventoryService, server.transport("connect"));
    await grpc.setStock({ sku: "flow", locationId: "main", onHandQuantity: 5, reason: 1 }, { headers: admin });
    const reserved = await grpc.reserveStock({ orderId: "flow-1", lines: [{ sku: "flow", quantity: 3 }] }, { headers: service });
    expect(reserved.reservation?.status).toBe(ReservationStatus.RESERVED);
    const replay = await grpc.reserveStock({ orderId: "flow-1", lines: [{ sku: "flow", quantity: 3 }] }, { headers: service });
    expect(replay.reservation?.reservationId).toBe(reserved.reservation?.reservationId);
    const short = await grpc.reserveStock({ orderId: "flow-2", lines: [{ sku: "flow", quantity: 3 }] }, { headers: service });
    expect(short.reservation?.shortLines).toMatchObject([{ sku: "flow", requestedQuantity: 3, availableQuantity: 2 }]);
    expect(
      await code(connect.reserveStock({ orderId: "flow-3", lines: [{ sku: "flow", quantity: 1 }] }, { headers: service })),
    ).not.toBe("ok");
    expect(
      await code(grpc.reserveStock({ orderId: "flow-4", lines: [{ sku: "flow", quantity: 1 }] }, { headers: customer })),
    ).toBe(Code.PermissionDenied);
    for (const lines of [
      [{ sku: "flow", quantity: -1 }],
      [{ sku: "flow", quantity: 10_001 }],
      [],
      Array(201)
        .fill(null)
        .map((_, i) => ({ sku: `s${i}`, quantity: 1 })),
    ]) {
      expect(await code(grpc.reserveStock({ orderId: "flow-bad", lines }, { headers: service }))).toBe(Code.InvalidArgument);
    }
    expect((await grpc.commitReservation({ orderId: "flow-1" }, { headers: service })).reservation?.status).toBe(
      ReservationStatus.COMMITTED,
    );
    expect(
      await code(grpc.releaseReservation({ orderId: "flow-1", reason: ReleaseReason.ORDER_CANCELLED }, { headers: service })),
    ).toBe(Code.FailedPrecondition);
    expect(await code(grpc.commitReservation({ orderId: "flow-2" }, { headers: service }))).toBe(Code.FailedPrecondition);
    expect((await grpc.getStock({ sku: "flow" }, { headers: admin })).summary).toMatchObject({
      onHandQuantity: 2,
      reservedQuantity: 0,
    });
  });

  it("when a hold runs out, then the running sweeper expires it for real", async () => {
    const grpc = createClient(InventoryService, server.transport("grpc"));
    await grpc.setStock({ sku: "brief", locationId: "main", onHandQuantity: 2, reason: 1 }, { headers: admin });
    await grpc.reserveStock(
      { orderId: "brief-1", lines: [{ sku: "brief", quantity: 2 }], holdDuration: durationFromMs(300) },
      { headers: service },
    );
    await waitFor(
      async () =>
        (await grpc.getReservation({ orderId: "brief-1" }, { headers: admin })).reservation?.status === ReservationStatus.EXPIRED,
    );
    expect((await grpc.getStock({ sku: "brief" }, { headers: admin })).summary?.availableQuantity).toBe(2);
  });
});

describe("order-events", () => {
  it("when OrderCreated, OrderCancelled arrive (twice), then stock is reserved once and given back once", async () => {
    const grpc = createClient(InventoryService, server.transport("grpc"));
    await grpc.setStock({ sku: "evented", locationId: "main", onHandQuantity: 4, reason: 1 }, { headers: admin });
    const scope = { tenantId: parseTenantId("acme"), correlationId: "saga-1" };
    const address = { topic: "order-events", key: "evented-1", occurredAt: new Date() };
    const created = encodeEvent(
      OrderCreatedSchema,
      { orderId: "evented-1", userId: "user-1", lines: [{ sku: "evented", quantity: 3 }] },
      address,
      scope,
    );
    await server.bus.publisher.publish([created, created]);
    await server.bus.publisher.publish([{ ...created, id: "another-delivery-of-the-same-order" }]);
    await waitFor(async () => {
      const { reservations } = await grpc.listReservations({ sku: "evented" }, { headers: admin });
      return reservations.length > 0;
    });
    await waitFor(async () =>
      (await server.db.outbox()).some((e) => e.type === InventoryReservedSchema.typeName && e.key === "evented-1"),
    );
    const reserved = (await server.db.outbox()).filter(
      (e) => e.type === InventoryReservedSchema.typeName && e.key === "evented-1",
    );
    expect(reserved).toHaveLength(1);
    expect(fromBinary(InventoryReservedSchema, reserved[0]!.payload).lines).toMatchObject([{ sku: "evented", quantity: 3 }]);
    expect((await grpc.getStock({ sku: "evented" }, { headers: admin })).summary?.reservedQuantity).toBe(3);
    const cancelled = encodeEvent(
      OrderCancelledSchema,
      { orderId: "evented-1", reason: OrderCancellationReason.CUSTOMER_REQUESTED },
      address,
      scope,
    );
    await server.bus.publisher.publish([cancelled, { ...cancelled, id: "cancel-again" }]);
    await waitFor(
      async () =>
        (await grpc.getReservation({ orderId: "evented-1" }, { headers: admin })).reservation?.status ===
        ReservationStatus.RELEASED,
    );
    expect((await grpc.getStock({ sku: "evented" }, { headers: admin })).summary).toMatchObject({
      onHandQuantity: 4,
      reservedQuantity: 0,
    });
    expect(server.bus.deadLetters("order-events")).toEqual([]);
  });
});
