import { invalidField, notFound } from "../kit/domain-error.ts";
import type { RequestContext, TenantId } from "../kit/request-context.ts";
import { requireServiceOrTenantAdmin, requireTenantAdmin } from "./inventory-access.ts";
import type { InventoryDeps } from "./inventory-deps.ts";
import { pageSizeOf } from "./inventory-deps.ts";
import type { InventoryEvent } from "./inventory-events.ts";
import type { InventoryTransaction, Page, ReservationSnapshot, StockAfterReserve } from "./inventory-store.ts";
import {
  allocate,
  decideCancellation,
  decideCommit,
  decideExpiry,
  decideRelease,
  type ReleaseReason,
  type Reservation,
  type ReservationLineRequest,
  type ReservationStatus,
} from "./reservation.ts";
import { emptyLevel, lockOrder, MAX_LINE_QUANTITY, moveStock, parseSku, type StockLevel } from "./stock-level.ts";
import type { MovementKind, StockMovement } from "./stock-movement.ts";
import { stockSignals, withChanges } from "./stock-signals.ts";

export const MAX_RESERVATION_LINES = 200;
const MAX_ORDER_ID = 64;

export interface ReserveInput {
  readonly orderId: string;
  readonly lines: readonly ReservationLineRequest[];
  /** How long to hold; the policy's default when absent. */
  readonly holdMs?: number | undefined;
}

/**
 * Reserves every line of an order or none. First one unlocked read: the SKUs' stock and
 * thresholds, on which the allocation is guessed. When the guess holds every line, one
 * transaction inserts the reservation (a replay meets the order's unique key and gives way) and
 * applies one conditional update per stock row in lock order (the database decides; a line that
 * no longer fits abandons the transaction), then the ledger and InventoryReserved (+ stock
 * events). When the guess is short, the order already has a reservation, or the database disagreed, the
 * locked path decides: the reservation is looked up under lock, the SKUs' rows are locked in
 * SKU order and the allocation is decided on what the locks hold. A shortage is an outcome
 * (status rejected with the short lines), not an error.
 */
export async function reserveStock(deps: InventoryDeps, ctx: RequestContext, input: ReserveInput): Promise<Reservation> {
  requireServiceOrTenantAdmin(ctx);
  const orderId = parseOrderId(input.orderId);
  const lines = parseLines(input.lines);
  const holdMs = input.holdMs ?? deps.policy.defaultHoldMs;
  if (!Number.isInteger(holdMs) || holdMs <= 0 || holdMs > deps.policy.maxHoldMs) {
    throw invalidField("hold_duration", `must be above 0 and at most ${deps.policy.maxHoldMs / 1000}s`);
  }
  const skus = lockOrder(lines.map((line) => line.sku));
  const inLockOrder = [...lines].sort((a, b) => skus.indexOf(a.sku) - skus.indexOf(b.sku));
  const snapshot = await deps.store.readForReservation(ctx.tenantId, skus);
  const guessed = await reserveOnGuess(deps, ctx, orderId, inLockOrder, holdMs, snapshot);
  if (guessed) {
    await deps.availabilityCache?.invalidate(ctx.tenantId, skus);
    return guessed;
  }
  const result = await deps.store.transaction(ctx, async (tx) => {
    const existing = await tx.lockReservation(orderId);
    if (existing) return { reservation: existing, skus: [] };
    const now = deps.clock.now();
    const before = await tx.lockStock(skus);
    const allocation = allocate(inLockOrder, before);
    const base = { id: deps.newId(), orderId, createdAt: now, updatedAt: now, releaseReason: undefined };
    if (allocation.kind === "rejected") {
      const reservation: Reservation = {
        ...base,
        status: "rejected",
        lines: [],
        shortLines: allocation.shortLines,
        expiresAt: now,
      };
      await tx.addReservation(reservation);
      await tx.publish([{ type: "InventoryRejected", reservation }]);
      return { reservation, skus: [] };
    }
    const reservation: Reservation = {
      ...base,
      status: "reserved",
      lines: allocation.lines,
      shortLines: [],
      expiresAt: new Date(now.getTime() + holdMs),
    };
    await tx.addReservation(reservation);
    await applyLines(deps, tx, reservation, before, "reserved", now, [{ type: "InventoryReserved", reservation }]);
    return { reservation, skus };
  });
  await deps.availabilityCache?.invalidate(ctx.tenantId, result.skus);
  return result.reservation;
}

/**
 * The fast path: the allocation guessed on the unlocked snapshot, applied by the store in one
 * transaction of conditional updates that only succeed where available still covers each line.
 * Resolves to undefined (nothing changed) when the guess is short, when one update finds the
 * stock gone, when the order already has a reservation (a replay) or the database reported a
 * conflict: the locked path then decides. Stock events compare the SKU totals just before and
 * after this change, with the locations this reservation did not touch as the snapshot saw them.
 */
async function reserveOnGuess(
  deps: InventoryDeps,
  ctx: RequestContext,
  orderId: string,
  lines: readonly ReservationLineRequest[],
  holdMs: number,
  snapshot: ReservationSnapshot,
): Promise<Reservation | undefined> {
  const allocation = allocate(lines, snapshot.levels);
  if (allocation.kind === "rejected") return undefined;
  const now = deps.clock.now();
  const reservation: Reservation = {
    id: deps.newId(),
    orderId,
    status: "reserved",
    lines: allocation.lines,
    shortLines: [],
    createdAt: now,
    updatedAt: now,
    expiresAt: new Date(now.getTime() + holdMs),
    releaseReason: undefined,
  };
  const complete = (after: readonly StockAfterReserve[]) => {
    const movements: StockMovement[] = [];
    let levelsBefore = snapshot.levels;
    let levelsAfter = snapshot.levels;
    reservation.lines.forEach((line, i) => {
      const row = after[i] as StockAfterReserve;
      const seen = snapshot.levels.find((l) => l.sku === line.sku && l.locationId === line.locationId);
      const base = seen ?? emptyLevel(line.sku, line.locationId, now);
      levelsBefore = withChanges(levelsBefore, [{ ...base, onHand: row.onHand, reserved: row.reserved - line.quantity }]);
      levelsAfter = withChanges(levelsAfter, [{ ...base, onHand: row.onHand, reserved: row.reserved, updatedAt: now }]);
      movements.push({
        id: deps.newId(),
        sku: line.sku,
        locationId: line.locationId,
        kind: "reserved",
        adjustmentReason: undefined,
        onHandDelta: 0,
        reservedDelta: line.quantity,
        onHandAfter: row.onHand,
        reservedAfter: row.reserved,
        orderId,
        actorUserId: undefined,
        note: undefined,
        occurredAt: now,
      });
    });
    const skus = lockOrder(reservation.lines.map((line) => line.sku));
    const events: InventoryEvent[] = [
      { type: "InventoryReserved", reservation },
      ...stockSignals(skus, levelsBefore, levelsAfter, snapshot.thresholds, now),
    ];
    return { movements, events };
  };
  const predicted = reservation.lines.flatMap((line) => {
    const seen = snapshot.levels.find((l) => l.sku === line.sku && l.locationId === line.locationId);
    return seen
      ? [{ sku: line.sku, locationId: line.locationId, onHand: seen.onHand, reserved: seen.reserved + line.quantity }]
      : [];
  });
  return (await deps.store.reserveOnGuess(ctx, { reservation, predicted, complete })) ? reservation : undefined;
}

/** Turns a held reservation into a sale: on hand and reserved both go down. A replay answers it unchanged. */
export async function commitReservation(deps: InventoryDeps, ctx: RequestContext, orderId: string): Promise<Reservation> {
  requireServiceOrTenantAdmin(ctx);
  return settle(deps, ctx, parseOrderId(orderId), (r, now) => decideCommit(r, now));
}

/** Gives reserved stock back. Releasing a released, expired or rejected reservation answers it unchanged. */
export async function releaseReservation(
  deps: InventoryDeps,
  ctx: RequestContext,
  orderId: string,
  reason: ReleaseReason,
): Promise<Reservation> {
  requireServiceOrTenantAdmin(ctx);
  return settle(deps, ctx, parseOrderId(orderId), (r, now) => decideRelease(r, reason, now));
}

/**
 * What an OrderCancelled does: a held reservation is released; a committed one (the order was
 * confirmed, then cancelled before shipment) is restocked: each committed line goes back on hand
 * at the location it was committed from, one ledger row per line (kind restocked, note "order
 * cancelled after commit"), the reservation becomes restocked and InventoryReleased goes out with
 * the lines given back. A released, expired, rejected or restocked reservation answers unchanged,
 * so a replayed OrderCancelled gives stock back once. NOT_FOUND when the order never reached
 * inventory.
 */
export async function cancelOrderReservation(
  deps: InventoryDeps,
  ctx: RequestContext,
  orderId: string,
  reason: ReleaseReason,
): Promise<Reservation> {
  requireServiceOrTenantAdmin(ctx);
  return settle(deps, ctx, parseOrderId(orderId), (r, now) => decideCancellation(r, reason, now));
}

export const RESTOCK_NOTE = "order cancelled after commit";

/**
 * The sweeper: expires every reservation past its hold (of any tenant), up to `limit`, each in
 * its own transaction that re-checks the decision under lock (a commit that won the race stays
 * committed). Resolves to how many it expired.
 */
export async function expireDueReservations(
  deps: InventoryDeps,
  options: { limit: number; correlationId: string; signal?: AbortSignal },
): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.store.dueForExpiry(now, options.limit);
  let expired = 0;
  for (const { tenantId, orderId } of due) {
    if (options.signal?.aborted) break;
    const ctx = sweeperContext(tenantId, options.correlationId, options.signal);
    const reservation = await settle(deps, ctx, orderId, (r, at) => decideExpiry(r, at));
    if (reservation.status === "expired") expired++;
  }
  return expired;
}

export async function getReservation(deps: InventoryDeps, ctx: RequestContext, orderId: string): Promise<Reservation> {
  requireServiceOrTenantAdmin(ctx);
  const reservation = await deps.store.findReservation(ctx.tenantId, parseOrderId(orderId));
  if (!reservation) throw notFound("reservation", orderId, "INVENTORY.RESERVATION_NOT_FOUND");
  return reservation;
}

export async function listReservations(
  deps: InventoryDeps,
  ctx: RequestContext,
  query: { status?: ReservationStatus | undefined; sku?: string | undefined; pageSize?: number; pageToken?: string },
): Promise<Page<Reservation>> {
  requireTenantAdmin(ctx);
  return deps.store.listReservations(ctx.tenantId, {
    ...(query.status ? { status: query.status } : {}),
    ...(query.sku ? { sku: parseSku(query.sku) } : {}),
    pageSize: pageSizeOf(query.pageSize),
    ...(query.pageToken ? { pageToken: query.pageToken } : {}),
  });
}

async function settle(
  deps: InventoryDeps,
  ctx: RequestContext,
  orderId: string,
  decide: (reservation: Reservation, now: Date) => Reservation | "unchanged",
): Promise<Reservation> {
  const result = await deps.store.transaction(ctx, async (tx) => {
    const current = await tx.lockReservation(orderId);
    if (!current) throw notFound("reservation", orderId, "INVENTORY.RESERVATION_NOT_FOUND");
    const now = deps.clock.now();
    const next = decide(current, now);
    if (next === "unchanged") return { reservation: current, skus: [] as string[] };
    const kind = settledKind(next);
    const skus = lockOrder(next.lines.map((line) => line.sku));
    const before = await tx.lockStock(skus);
    await tx.updateReservation(next);
    const event: InventoryEvent =
      kind === "committed" ? { type: "InventoryCommitted", reservation: next } : { type: "InventoryReleased", reservation: next };
    await applyLines(deps, tx, next, before, kind, now, [event]);
    return { reservation: next, skus };
  });
  await deps.availabilityCache?.invalidate(ctx.tenantId, result.skus);
  return result.reservation;
}

/** The ledger kind of a settled reservation's new status. */
function settledKind(next: Reservation): Extract<MovementKind, "committed" | "released" | "expired" | "restocked"> {
  switch (next.status) {
    case "committed":
    case "released":
    case "expired":
    case "restocked":
      return next.status;
    default:
      throw new Error(`reservation of order ${next.orderId} cannot settle to ${next.status}`);
  }
}

/** Moves stock for every line of `reservation`, writes the ledger, and publishes `events` plus the stock signals. */
async function applyLines(
  deps: InventoryDeps,
  tx: InventoryTransaction,
  reservation: Reservation,
  before: readonly StockLevel[],
  kind: Exclude<MovementKind, "adjustment">,
  now: Date,
  events: InventoryEvent[],
): Promise<void> {
  let levels = [...before];
  const movements: StockMovement[] = [];
  for (const line of reservation.lines) {
    const level = levels.find((l) => l.sku === line.sku && l.locationId === line.locationId);
    if (!level) throw new Error(`no stock row for ${line.sku} at ${line.locationId} under reservation ${reservation.id}`);
    // restocked: the sale is undone, the committed quantity goes back on hand (nothing was reserved any more).
    const onHandDelta = kind === "committed" ? -line.quantity : kind === "restocked" ? line.quantity : 0;
    const reservedDelta = kind === "reserved" ? line.quantity : kind === "restocked" ? 0 : -line.quantity;
    const moved = moveStock(level, onHandDelta, reservedDelta, now);
    levels = withChanges(levels, [moved]);
    movements.push({
      id: deps.newId(),
      sku: line.sku,
      locationId: line.locationId,
      kind,
      adjustmentReason: undefined,
      onHandDelta,
      reservedDelta,
      onHandAfter: moved.onHand,
      reservedAfter: moved.reserved,
      orderId: reservation.orderId,
      actorUserId: undefined,
      note: kind === "restocked" ? RESTOCK_NOTE : undefined,
      occurredAt: now,
    });
  }
  const changed = levels.filter((l) => !before.includes(l));
  await tx.saveStock(changed);
  await tx.recordMovements(movements);
  const skus = lockOrder(reservation.lines.map((line) => line.sku));
  const thresholds = await tx.thresholds(skus);
  await tx.publish([...events, ...stockSignals(skus, before, levels, thresholds, now)]);
}

function parseOrderId(value: string): string {
  if (value.trim().length === 0 || value.length > MAX_ORDER_ID) throw invalidField("order_id", "must be 1-64 characters");
  return value;
}

function parseLines(lines: readonly ReservationLineRequest[]): ReservationLineRequest[] {
  if (lines.length === 0 || lines.length > MAX_RESERVATION_LINES) {
    throw invalidField("lines", `must hold 1-${MAX_RESERVATION_LINES} lines`);
  }
  const seen = new Set<string>();
  return lines.map((line, i) => {
    const sku = parseSku(line.sku, `lines[${i}].sku`);
    if (seen.has(sku)) throw invalidField("lines", "SKUs must be distinct");
    seen.add(sku);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_LINE_QUANTITY) {
      throw invalidField(`lines[${i}].quantity`, `must be 1-${MAX_LINE_QUANTITY}`);
    }
    return { sku, quantity: line.quantity };
  });
}

function sweeperContext(tenantId: TenantId, correlationId: string, signal: AbortSignal | undefined): RequestContext {
  return { tenantId, caller: undefined, correlationId, signal: signal ?? new AbortController().signal };
}
