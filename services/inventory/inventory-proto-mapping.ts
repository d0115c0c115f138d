import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { invalidField } from "../../core/kit/domain-error.ts";
import type { ReleaseReason, Reservation, ReservationStatus } from "../../core/inventory/reservation.ts";
import type { SkuSummary, StockLevel } from "../../core/inventory/stock-level.ts";
import type { AdjustmentReason, MovementKind, StockMovement } from "../../core/inventory/stock-movement.ts";
import {
  AdjustmentReason as ProtoAdjustmentReason,
  MovementKind as ProtoMovementKind,
  ReleaseReason as ProtoReleaseReason,
  ReservationStatus as ProtoReservationStatus,
} from "../../gen/shop/inventory/v1/inventory_pb.ts";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type {
  ReservationSchema,
  SkuStockSummarySchema,
  StockLevelSchema,
  StockMovementSchema,
} from "../../gen/shop/inventory/v1/inventory_pb.ts";

const ADJUSTMENT_REASONS: Record<AdjustmentReason, ProtoAdjustmentReason> = {
  received: ProtoAdjustmentReason.RECEIVED,
  count_correction: ProtoAdjustmentReason.COUNT_CORRECTION,
  damaged: ProtoAdjustmentReason.DAMAGED,
  lost: ProtoAdjustmentReason.LOST,
  returned: ProtoAdjustmentReason.RETURNED,
  transfer: ProtoAdjustmentReason.TRANSFER,
};
const MOVEMENT_KINDS: Record<MovementKind, ProtoMovementKind> = {
  adjustment: ProtoMovementKind.ADJUSTMENT,
  reserved: ProtoMovementKind.RESERVED,
  released: ProtoMovementKind.RELEASED,
  expired: ProtoMovementKind.EXPIRED,
  committed: ProtoMovementKind.COMMITTED,
  restocked: ProtoMovementKind.RESTOCKED,
};
const STATUSES: Record<ReservationStatus, ProtoReservationStatus> = {
  reserved: ProtoReservationStatus.RESERVED,
  committed: ProtoReservationStatus.COMMITTED,
  released: ProtoReservationStatus.RELEASED,
  expired: ProtoReservationStatus.EXPIRED,
  rejected: ProtoReservationStatus.REJECTED,
  restocked: ProtoReservationStatus.RESTOCKED,
};
const RELEASE_REASONS: Record<ReleaseReason, ProtoReleaseReason> = {
  order_cancelled: ProtoReleaseReason.ORDER_CANCELLED,
  payment_failed: ProtoReleaseReason.PAYMENT_FAILED,
  saga_timed_out: ProtoReleaseReason.SAGA_TIMED_OUT,
};

function reverse<K extends string, V>(table: Record<K, V>, value: V, field: string): K {
  const found = (Object.entries(table) as [K, V][]).find(([, v]) => v === value);
  if (!found) throw invalidField(field, "is not a known value");
  return found[0];
}

export const adjustmentReasonFromProto = (value: ProtoAdjustmentReason) => reverse(ADJUSTMENT_REASONS, value, "reason");
export const releaseReasonFromProto = (value: ProtoReleaseReason) => reverse(RELEASE_REASONS, value, "reason");
export function statusFromProto(value: ProtoReservationStatus): ReservationStatus | undefined {
  return value === ProtoReservationStatus.UNSPECIFIED ? undefined : reverse(STATUSES, value, "status");
}

export function levelToProto(level: StockLevel): MessageInitShape<typeof StockLevelSchema> {
  return {
    sku: level.sku,
    locationId: level.locationId,
    onHandQuantity: level.onHand,
    reservedQuantity: level.reserved,
    availableQuantity: level.onHand - level.reserved,
    version: BigInt(level.version),
    updateTime: timestampFromDate(level.updatedAt),
  };
}

export function summaryToProto(s: SkuSummary): MessageInitShape<typeof SkuStockSummarySchema> {
  return {
    sku: s.sku,
    onHandQuantity: s.onHand,
    reservedQuantity: s.reserved,
    availableQuantity: s.available,
    restockThreshold: s.restockThreshold,
  };
}

export function movementToProto(m: StockMovement): MessageInitShape<typeof StockMovementSchema> {
  return {
    movementId: m.id,
    sku: m.sku,
    locationId: m.locationId,
    kind: MOVEMENT_KINDS[m.kind],
    adjustmentReason: m.adjustmentReason ? ADJUSTMENT_REASONS[m.adjustmentReason] : ProtoAdjustmentReason.UNSPECIFIED,
    onHandDelta: m.onHandDelta,
    reservedDelta: m.reservedDelta,
    onHandAfter: m.onHandAfter,
    reservedAfter: m.reservedAfter,
    orderId: m.orderId ?? "",
    actorUserId: m.actorUserId ?? "",
    note: m.note ?? "",
    occurTime: timestampFromDate(m.occurredAt),
  };
}

export function reservationToProto(r: Reservation): MessageInitShape<typeof ReservationSchema> {
  return {
    reservationId: r.id,
    orderId: r.orderId,
    status: STATUSES[r.status],
    lines: r.lines.map((l) => ({ ...l })),
    shortLines: r.shortLines.map((l) => ({ ...l })),
    createTime: timestampFromDate(r.createdAt),
    expireTime: timestampFromDate(r.expiresAt),
    updateTime: timestampFromDate(r.updatedAt),
    releaseReason: r.releaseReason ? RELEASE_REASONS[r.releaseReason] : ProtoReleaseReason.UNSPECIFIED,
  };
}
