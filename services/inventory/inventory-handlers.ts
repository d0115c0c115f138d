import type { ServiceImpl } from "@connectrpc/connect";
import type { InventoryDeps } from "../../core/inventory/inventory-deps.ts";
import {
  commitReservation,
  getReservation,
  listReservations,
  releaseReservation,
  reserveStock,
} from "../../core/inventory/reservations.ts";
import {
  adjustStock,
  getAvailability,
  getStock,
  listLowStock,
  listStockMovements,
  setRestockThreshold,
  setStock,
} from "../../core/inventory/stock-admin.ts";
import { requestContext } from "../../adapters/rpc/call-context.ts";
import type { InventoryService } from "../../gen/shop/inventory/v1/inventory_pb.ts";
import {
  adjustmentReasonFromProto,
  levelToProto,
  movementToProto,
  releaseReasonFromProto,
  reservationToProto,
  statusFromProto,
  summaryToProto,
} from "./inventory-proto-mapping.ts";

/** Methods for other services only (orders): served over gRPC, never to browsers. */
export const INVENTORY_INTERNAL_METHODS = ["ReserveStock", "CommitReservation", "ReleaseReservation"] as const;

/**
 * InventoryService: proto in, core use case, proto out. The tenant comes from the call (token,
 * or x-tenant-id), never from the body; who may call what is checked in the use cases.
 */
export function inventoryHandlers(deps: InventoryDeps): ServiceImpl<typeof InventoryService> {
  return {
    async getStock(request, ctx) {
      const { summary, levels } = await getStock(deps, requestContext(ctx), request.sku);
      return { summary: summaryToProto(summary), levels: levels.map(levelToProto) };
    },
    async batchGetAvailability(request, ctx) {
      const summaries = await getAvailability(deps, requestContext(ctx), request.skus);
      return {
        availabilities: summaries.map((s) => ({
          sku: s.sku,
          availableQuantity: s.available,
          inStock: s.available > 0,
          lowStock: s.restockThreshold > 0 && s.available <= s.restockThreshold,
        })),
      };
    },
    async setStock(request, ctx) {
      const level = await setStock(deps, requestContext(ctx), {
        sku: request.sku,
        locationId: request.locationId,
        onHand: request.onHandQuantity,
        reason: adjustmentReasonFromProto(request.reason),
        note: request.note,
      });
      return { level: levelToProto(level) };
    },
    async adjustStock(request, ctx) {
      const level = await adjustStock(deps, requestContext(ctx), {
        sku: request.sku,
        locationId: request.locationId,
        delta: request.deltaQuantity,
        reason: adjustmentReasonFromProto(request.reason),
        note: request.note,
        idempotencyKey: request.idempotencyKey,
      });
      return { level: levelToProto(level) };
    },
    async setRestockThreshold(request, ctx) {
      return {
        summary: summaryToProto(await setRestockThreshold(deps, requestContext(ctx), request.sku, request.restockThreshold)),
      };
    },
    async listLowStock(request, ctx) {
      const page = await listLowStock(deps, requestContext(ctx), {
        pageSize: request.page?.pageSize ?? 0,
        pageToken: request.page?.pageToken ?? "",
      });
      return { skus: page.items.map(summaryToProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
    async listStockMovements(request, ctx) {
      const page = await listStockMovements(deps, requestContext(ctx), {
        sku: request.sku,
        locationId: request.locationId,
        pageSize: request.page?.pageSize ?? 0,
        pageToken: request.page?.pageToken ?? "",
      });
      return { movements: page.items.map(movementToProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
    async reserveStock(request, ctx) {
      const hold = request.holdDuration;
      const reservation = await reserveStock(deps, requestContext(ctx), {
        orderId: request.orderId,
        lines: request.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
        holdMs: hold ? Number(hold.seconds) * 1000 + Math.floor(hold.nanos / 1e6) : undefined,
      });
      return { reservation: reservationToProto(reservation) };
    },
    async commitReservation(request, ctx) {
      return { reservation: reservationToProto(await commitReservation(deps, requestContext(ctx), request.orderId)) };
    },
    async releaseReservation(request, ctx) {
      const reservation = await releaseReservation(
        deps,
        requestContext(ctx),
        request.orderId,
        releaseReasonFromProto(request.reason),
      );
      return { reservation: reservationToProto(reservation) };
    },
    async getReservation(request, ctx) {
      return { reservation: reservationToProto(await getReservation(deps, requestContext(ctx), request.orderId)) };
    },
    async listReservations(request, ctx) {
      const page = await listReservations(deps, requestContext(ctx), {
        status: statusFromProto(request.status),
        sku: request.sku,
        pageSize: request.page?.pageSize ?? 0,
        pageToken: request.page?.pageToken ?? "",
      });
      return { reservations: page.items.map(reservationToProto), page: { nextPageToken: page.nextPageToken ?? "" } };
    },
  };
}
