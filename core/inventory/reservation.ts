import { failedPrecondition } from "../kit/domain-error.ts";
import { available, type StockLevel } from "./stock-level.ts";

/** `restocked`: committed, then the order was cancelled before shipment and the sold stock went back on hand. */
export type ReservationStatus = "reserved" | "committed" | "released" | "expired" | "rejected" | "restocked";
export type ReleaseReason = "order_cancelled" | "payment_failed" | "saga_timed_out";

export interface ReservationLineRequest {
  readonly sku: string;
  readonly quantity: number;
}

export interface ReservedLine {
  readonly sku: string;
  readonly locationId: string;
  readonly quantity: number;
}

export interface ShortLine {
  readonly sku: string;
  readonly requestedQuantity: number;
  readonly availableQuantity: number;
}

/** The stock held for one order: all its lines or none. One per (tenant, order). */
export interface Reservation {
  readonly id: string;
  readonly orderId: string;
  readonly status: ReservationStatus;
  readonly lines: readonly ReservedLine[];
  readonly shortLines: readonly ShortLine[];
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly updatedAt: Date;
  readonly releaseReason: ReleaseReason | undefined;
}

export type Allocation =
  | { readonly kind: "reserved"; readonly lines: readonly ReservedLine[] }
  | { readonly kind: "rejected"; readonly shortLines: readonly ShortLine[] };

/**
 * Decides where each line is held: from the locations of its SKU in location order, as much
 * as each has available (a line may be split). All lines fit or nothing is held; the short
 * lines say what was missing. Pure: the caller holds the locks on `levels`.
 */
export function allocate(request: readonly ReservationLineRequest[], levels: readonly StockLevel[]): Allocation {
  const lines: ReservedLine[] = [];
  const shortLines: ShortLine[] = [];
  for (const line of request) {
    const here = levels
      .filter((level) => level.sku === line.sku)
      .sort((a, b) => (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0));
    const total = here.reduce((sum, level) => sum + Math.max(0, available(level)), 0);
    if (total < line.quantity) {
      shortLines.push({ sku: line.sku, requestedQuantity: line.quantity, availableQuantity: total });
      continue;
    }
    let missing = line.quantity;
    for (const level of here) {
      if (missing === 0) break;
      const take = Math.min(missing, available(level));
      if (take <= 0) continue;
      lines.push({ sku: line.sku, locationId: level.locationId, quantity: take });
      missing -= take;
    }
  }
  return shortLines.length > 0 ? { kind: "rejected", shortLines } : { kind: "reserved", lines };
}

/** Whether an unconfirmed reservation has reached its expiry and the sweeper must give it back. */
export function isDueForExpiry(reservation: Reservation, now: Date): boolean {
  return reservation.status === "reserved" && reservation.expiresAt.getTime() <= now.getTime();
}

/** What commit does to a reservation: `unchanged` for a replay, else the new state. */
export function decideCommit(reservation: Reservation, now: Date): Reservation | "unchanged" {
  // Restocked was committed first: a late replay of the commit changes nothing either.
  if (reservation.status === "committed" || reservation.status === "restocked") return "unchanged";
  if (reservation.status !== "reserved") {
    throw failedPrecondition(
      "INVENTORY.RESERVATION_NOT_HELD",
      `reservation of order ${reservation.orderId} is ${reservation.status}`,
    );
  }
  return { ...reservation, status: "committed", updatedAt: now };
}

/** What release does: released, expired and rejected reservations stay as they are; committed ones cannot be. */
export function decideRelease(reservation: Reservation, reason: ReleaseReason, now: Date): Reservation | "unchanged" {
  if (
    reservation.status === "released" ||
    reservation.status === "expired" ||
    reservation.status === "rejected" ||
    reservation.status === "restocked"
  ) {
    return "unchanged";
  }
  if (reservation.status === "committed") {
    throw failedPrecondition("INVENTORY.RESERVATION_COMMITTED", `reservation of order ${reservation.orderId} is committed`);
  }
  return { ...reservation, status: "released", releaseReason: reason, updatedAt: now };
}

/**
 * What a cancelled order does to its reservation: a held one is released (reserved goes down), a
 * committed one is restocked (the sold quantities go back on hand where they were committed);
 * released, expired, rejected and restocked ones stay as they are (a replay gives back nothing).
 */
export function decideCancellation(reservation: Reservation, reason: ReleaseReason, now: Date): Reservation | "unchanged" {
  if (reservation.status === "committed") {
    return { ...reservation, status: "restocked", releaseReason: reason, updatedAt: now };
  }
  return decideRelease(reservation, reason, now);
}

export function decideExpiry(reservation: Reservation, now: Date): Reservation | "unchanged" {
  if (!isDueForExpiry(reservation, now)) return "unchanged";
  return { ...reservation, status: "expired", updatedAt: now };
}
