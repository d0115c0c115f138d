import type { EventMapper } from "../../../core/kit/event-mapper.ts";
import type { RequestContext } from "../../../core/kit/request-context.ts";
import type { InventoryEvent } from "../../../core/inventory/inventory-events.ts";
import type { Reservation } from "../../../core/inventory/reservation.ts";
import type { StockMovement } from "../../../core/inventory/stock-movement.ts";

/** Statements ending in `;` for a compound statement, with their parameters in order. */
export interface SqlWrites {
  readonly sql: string;
  readonly params: unknown[];
  readonly outboxRows: number;
}

/** How a date travels as a parameter (the platform's `processDateProperty`). */
export type DateParam = (d: Date) => unknown;

export const RESERVATION_COLUMNS =
  "`tenant_id`, `order_id`, `reservation_id`, `status`, `lines`, `short_lines`, `skus`, `created_at`, `expires_at`, `updated_at`, `release_reason`";
const MOVEMENT_COLUMNS =
  "`movement_id`, `tenant_id`, `sku`, `location_id`, `kind`, `adjustment_reason`, `on_hand_delta`, `reserved_delta`, `on_hand_after`, `reserved_after`, `order_id`, `actor_user_id`, `note`, `occurred_at`";
/** The columns `appendToOutbox` writes (`OutboxEvent`), in the order the values are given. */
const OUTBOX_COLUMNS =
  "`event_id`, `topic`, `event_key`, `event_type`, `schema_version`, `tenant_id`, `correlation_id`, `occurred_at`, `payload`, `published_at`";

export const rowsOf = (count: number, width: number) =>
  Array.from({ length: count }, () => `(${Array.from({ length: width }, () => "?").join(", ")})`).join(", ");

/** A change's ledger rows and events, with the request they belong to (tenant, correlation id). */
export interface ChangeRecords {
  readonly ctx: RequestContext;
  readonly movements: readonly StockMovement[];
  readonly events: readonly InventoryEvent[];
}

/** The ledger rows and outbox events of several changes (any tenants) as one multi-row insert each. */
export function ledgerAndOutboxInserts(
  toEvent: EventMapper<InventoryEvent>,
  date: DateParam,
  changes: readonly ChangeRecords[],
): SqlWrites {
  const movements = changes.flatMap(({ ctx, movements }) => movements.map((m) => ({ tenantId: ctx.tenantId, m })));
  const outbox = changes.flatMap(({ ctx, events }) => events.map((event) => toEvent(event, ctx)));
  const sql =
    (movements.length === 0
      ? ""
      : `insert into inventory_movements (${MOVEMENT_COLUMNS}) values ${rowsOf(movements.length, 14)};`) +
    (outbox.length === 0 ? "" : ` insert into outbox_events (${OUTBOX_COLUMNS}) values ${rowsOf(outbox.length, 10)};`);
  const params = [
    ...movements.flatMap(({ tenantId, m }) => [
      m.id,
      tenantId,
      m.sku,
      m.locationId,
      m.kind,
      m.adjustmentReason ?? null,
      m.onHandDelta,
      m.reservedDelta,
      m.onHandAfter,
      m.reservedAfter,
      m.orderId ?? null,
      m.actorUserId ?? null,
      m.note ?? null,
      date(m.occurredAt),
    ]),
    ...outbox.flatMap((e) => [
      e.id,
      e.topic,
      e.key,
      e.type,
      e.schemaVersion,
      e.tenantId,
      e.correlationId,
      date(e.occurredAt),
      Buffer.from(e.payload.buffer, e.payload.byteOffset, e.payload.byteLength),
      null,
    ]),
  ];
  return { sql, params, outboxRows: outbox.length };
}

/** New reservations (any tenants) as one multi-row insert; a second one for an order fails on the unique key. */
export function reservationsInsert(
  reservations: readonly { tenantId: string; reservation: Reservation }[],
  date: DateParam,
): SqlWrites {
  if (reservations.length === 0) return { sql: "", params: [], outboxRows: 0 };
  return {
    sql: `insert into inventory_reservations (${RESERVATION_COLUMNS}) values ${rowsOf(reservations.length, 11)};`,
    params: reservations.flatMap(({ tenantId, reservation }) => reservationValues(tenantId, reservation, date)),
    outboxRows: 0,
  };
}

/** A stock row's new on hand and reserved, and how many changes brought it there. */
export interface StockRowChange {
  readonly tenantId: string;
  readonly sku: string;
  readonly locationId: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly changes: number;
  readonly at: Date;
}

/**
 * Stock rows the transaction holds locked, set to their new values in one statement (an upsert
 * on the primary key: the rows exist, so each takes the update branch); the version goes up by
 * the number of changes, as one conditional update per change would have.
 */
export function stockRowsUpdate(rows: readonly StockRowChange[], date: DateParam): SqlWrites {
  if (rows.length === 0) return { sql: "", params: [], outboxRows: 0 };
  return {
    sql:
      "insert into inventory_stock (`tenant_id`, `sku`, `location_id`, `on_hand`, `reserved`, `version`, `updated_at`)" +
      ` values ${rowsOf(rows.length, 7)} on duplicate key update reserved = values(reserved),` +
      " version = version + values(version), updated_at = values(updated_at);",
    params: rows.flatMap((r) => [r.tenantId, r.sku, r.locationId, r.onHand, r.reserved, r.changes, date(r.at)]),
    outboxRows: 0,
  };
}

/** Writes one after the other, as one (statements ending in `;`). */
export function allWrites(writes: readonly SqlWrites[]): SqlWrites {
  return {
    sql: writes
      .map((w) => w.sql)
      .filter((sql) => sql !== "")
      .join(" "),
    params: writes.flatMap((w) => w.params),
    outboxRows: writes.reduce((sum, w) => sum + w.outboxRows, 0),
  };
}

export function toReservationFields(r: Reservation) {
  return {
    orderId: r.orderId,
    reservationId: r.id,
    status: r.status,
    lines: JSON.stringify(r.lines),
    shortLines: JSON.stringify(r.shortLines),
    skus: `,${[...new Set(r.lines.map((l) => l.sku))].join(",")},`,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    updatedAt: r.updatedAt,
    releaseReason: r.releaseReason ?? null,
  };
}

/** The values of `RESERVATION_COLUMNS` for one reservation. */
export function reservationValues(tenantId: string, r: Reservation, date: DateParam): unknown[] {
  const f = toReservationFields(r);
  return [
    tenantId,
    f.orderId,
    f.reservationId,
    f.status,
    f.lines,
    f.shortLines,
    f.skus,
    date(f.createdAt),
    date(f.expiresAt),
    date(f.updatedAt),
    f.releaseReason,
  ];
}
